package io.muster.spring.configdata;

import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterUnavailableException;
import io.muster.spring.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Loads a {@code muster:} import: one {@code GET /v1/config/{names}/environment} that returns every
 * document of the names and profiles, assembled as the Config Server protocol assembles them, each
 * marked with the profile that selected it. Sources are profile-specific by that mark, never by their
 * name (an application called {@code orders-eu} is not profile-specific when profile {@code eu} is on).
 * Every candidate document is a source, empty when it has none, so a refresh drops a deleted document's
 * values. A source {@code muster-client} adds {@code muster.client.version}, {@code .revision} and
 * {@code .releases}: what was loaded.
 *
 * <p>Failures: the request fails over across the nodes; a failed round is retried with back-off
 * ({@code muster.client.config.retry.*}), never after 401, 403 or another 4xx (asking again gets the
 * same answer). Then a non-optional import fails start-up ({@link MusterConfigUnavailableException}),
 * and an {@code optional:} one, which is tried once, loads nothing.
 */
public class MusterConfigDataLoader implements ConfigDataLoader<MusterConfigDataResource> {

    /** The name of the source with what was loaded. */
    public static final String CLIENT_SOURCE = "muster-client";
    public static final String VERSION_PROPERTY = "muster.client.version";
    public static final String REVISION_PROPERTY = "muster.client.revision";
    public static final String RELEASES_PROPERTY = "muster.client.releases";
    /** What the import asked for, so that the refresh watch follows exactly that (not bound to any bean). */
    static final String LOADED_NAMES = "muster.loaded.names";
    static final String LOADED_PROFILES = "muster.loaded.profiles";
    static final String LOADED_LABEL = "muster.loaded.label";
    static final String LOADED_INSTANCE = "muster.loaded.instance";
    static final String LOADED_LABELS = "muster.loaded.labels";

    private final Log log;

    public MusterConfigDataLoader(DeferredLogFactory logs) {
        this.log = logs.getLog(MusterConfigDataLoader.class);
    }

    @Override
    public ConfigData load(ConfigDataLoaderContext context, MusterConfigDataResource resource)
            throws ConfigDataResourceNotFoundException {
        MusterHttpClient client = context.getBootstrapContext().get(MusterHttpClient.class);
        EnvironmentSnapshot snapshot;
        try {
            snapshot = fetch(client, resource);
        } catch (MusterConfigUnavailableException e) {
            if (resource.isOptional()) {
                log.warn("Optional configuration " + resource + " not loaded: " + e.getMessage());
                throw new ConfigDataResourceNotFoundException(resource, e);
            }
            throw e;
        }
        return configData(snapshot, resource);
    }

    /**
     * The sources of {@code snapshot} as Spring takes them, in ascending precedence (the reverse of Muster's
     * list): profile-specific by the profile that selected each document, and the {@value #CLIENT_SOURCE}
     * source last.
     */
    static ConfigData configData(EnvironmentSnapshot snapshot, MusterConfigDataResource resource) {
        List<PropertySource<?>> sources = new ArrayList<>(snapshot.sources().size() + 1);
        List<String> profileSpecific = new ArrayList<>();
        // Muster lists sources highest first; ConfigData takes them in ascending priority (the last wins).
        for (int i = snapshot.sources().size() - 1; i >= 0; i--) {
            EnvironmentSnapshot.Source source = snapshot.sources().get(i);
            sources.add(new MapPropertySource(source.name(), source.properties()));
            if (source.profileSpecific()) {
                profileSpecific.add(source.name());
            }
        }
        Map<String, Object> loaded = new LinkedHashMap<>();
        loaded.put(VERSION_PROPERTY, snapshot.version());
        loaded.put(REVISION_PROPERTY, snapshot.revision());
        loaded.put(RELEASES_PROPERTY, String.join(",", snapshot.releases()));
        loaded.put(LOADED_NAMES, resource.names());
        loaded.put(LOADED_PROFILES, String.join(",", resource.profiles()));
        if (resource.label() != null) {
            loaded.put(LOADED_LABEL, resource.label());
        }
        resource.identity().headers().forEach((header, value) -> loaded.put(
                header.equals(io.muster.spring.client.InstanceIdentity.INSTANCE_HEADER) ? LOADED_INSTANCE : LOADED_LABELS,
                value));
        sources.add(new MapPropertySource(CLIENT_SOURCE, loaded));
        return new ConfigData(sources, source -> profileSpecific.contains(source.getName())
                ? ConfigData.Options.of(ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES,
                        ConfigData.Option.PROFILE_SPECIFIC)
                : ConfigData.Options.of(ConfigData.Option.IGNORE_IMPORTS, ConfigData.Option.IGNORE_PROFILES));
    }

    /** The environment, with fail-over, retries and back-off as the class describes. */
    static EnvironmentSnapshot fetch(MusterHttpClient client, MusterConfigDataResource resource) {
        MusterClientProperties.Retry retry = resource.properties().getConfig().getRetry();
        int attempts = resource.isOptional() ? 1 : Math.max(1, retry.getMaxAttempts());
        long wait = retry.getInitialInterval().toMillis();
        boolean minRevision = true;
        String path = null;
        int status = -1;
        RuntimeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            path = path(resource, minRevision ? client.lastRevision() : 0);
            try {
                Response response = client.get(path, resource.identity().headers());
                if (response.ok()) {
                    return EnvironmentSnapshot.parse(response.json());
                }
                if (response.status() == 429 || response.status() >= 500) {
                    throw new MusterUnavailableException(response.node(), response.node() + " answered "
                            + response.status() + " " + response.problemDetail(), response, null);
                }
                throw new MusterConfigUnavailableException(response.node() + path, response.status(), attempt,
                        "Muster at " + response.node() + " refused " + path + ": " + response.status() + " "
                                + response.problemDetail(), null);
            } catch (MusterUnavailableException e) {
                status = e.status();
                last = e;
                // Every node answered 504: none has reached the revision last seen. After a restore from a
                // backup revisions go back, so ask again without the floor.
                minRevision = status != 504;
            }
            if (attempt < attempts) {
                sleep(wait);
                wait = Math.min(retry.getMaxInterval().toMillis(), Math.round(wait * retry.getMultiplier()));
            }
        }
        throw new MusterConfigUnavailableException(client.current() + path, status, attempts,
                "no Muster node served " + path + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                        + ": " + last.getMessage(), last);
    }

    static String path(MusterConfigDataResource resource, long minRevision) {
        StringBuilder path = new StringBuilder("/v1/config/").append(MusterHttpClient.encode(resource.names())
                .replace("%2C", ",")).append("/environment?profiles=")
                .append(MusterHttpClient.encode(String.join(",", resource.profiles())));
        if (resource.label() != null) {
            path.append("&label=").append(MusterHttpClient.encode(resource.label()));
        }
        if (minRevision > 0) {
            path.append("&minRevision=").append(minRevision);
        }
        return path.toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the back-off between attempts, as spring-retry would wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to ask Muster again", e);
        }
    }
}
