package io.muster.spring.configdata;

import io.muster.spring.client.InstanceIdentity;
import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterHttpClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.bootstrap.BootstrapRegistry;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.config.Profiles;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code muster:}, {@code muster:http://h1:8080;http://h2:8080} and their {@code optional:}
 * forms into one {@link MusterConfigDataResource} for the accepted profiles. URLs in the location
 * replace {@code muster.client.url}; they are separated by ';' because Spring splits
 * {@code spring.config.import} at commas.
 *
 * <p>It makes the {@link MusterHttpClient} once, in the bootstrap context, and hands it to the
 * application context when that is ready, so the loader, the refresh watch, the registry and discovery
 * all use the same client (and the same fail-over state).
 */
public class MusterConfigDataLocationResolver implements ConfigDataLocationResolver<MusterConfigDataResource> {

    public static final String PREFIX = "muster:";

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        if (!location.hasPrefix(PREFIX)) {
            return false;
        }
        Binder binder = context.getBinder();
        return binder.bind(MusterClientProperties.PREFIX + ".enabled", Boolean.class).orElse(true)
                && binder.bind(MusterClientProperties.PREFIX + ".config.enabled", Boolean.class).orElse(true);
    }

    @Override
    public List<MusterConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return List.of(); // everything is in the profile-specific resolution: one request covers every profile
    }

    @Override
    public List<MusterConfigDataResource> resolveProfileSpecific(ConfigDataLocationResolverContext context,
            ConfigDataLocation location, Profiles profiles) {
        Binder binder = context.getBinder();
        MusterClientProperties properties = binder.bind(MusterClientProperties.PREFIX,
                Bindable.of(MusterClientProperties.class)).orElseGet(MusterClientProperties::new);
        List<URI> urls = urls(location.getNonPrefixedValue(PREFIX));
        if (!urls.isEmpty()) {
            properties.setUrl(urls);
        }
        String application = binder.bind("spring.application.name", String.class).orElse(null);
        String names = properties.getConfig().getName() != null ? properties.getConfig().getName()
                : application != null ? application : "application";
        List<String> accepted = profiles.getAccepted().isEmpty() ? List.of("default") : profiles.getAccepted();
        // Only an id the registry will hold too: a configured one, or the pod's name. Without either, the
        // request names no instance, and Muster takes the caller for the instance registered at its address.
        String id = InstanceIdentity.defaultId(properties.getInstance().getId(), System.getenv("HOSTNAME"), null,
                null, 0);
        InstanceIdentity identity = new InstanceIdentity(id, properties.getInstance().getLabels());
        register(context.getBootstrapContext(), properties);
        return List.of(new MusterConfigDataResource(names, accepted, properties.getConfig().getLabel(),
                properties.getUrl(), identity, properties, location.isOptional()));
    }

    /** The URLs of a location's value ({@code http://a;http://b}); none when it names none. */
    static List<URI> urls(String value) {
        List<URI> urls = new ArrayList<>();
        for (String part : value.split(";")) {
            String trimmed = part.trim();
            if (!trimmed.isEmpty()) {
                URI url = URI.create(trimmed);
                if (url.getScheme() == null || url.getHost() == null) {
                    throw new IllegalArgumentException("'" + PREFIX + value + "': '" + trimmed
                            + "' is not an absolute http(s) URL of a Muster node");
                }
                urls.add(url);
            }
        }
        return urls;
    }

    private static void register(ConfigurableBootstrapContext bootstrap, MusterClientProperties properties) {
        if (bootstrap.isRegistered(MusterHttpClient.class)) {
            return; // a refresh resolves again in the same bootstrap context: the client and its hand-over exist
        }
        bootstrap.register(MusterHttpClient.class, BootstrapRegistry.InstanceSupplier.from(() -> MusterHttpClient.of(properties)));
        bootstrap.addCloseListener(event -> {
            var beans = event.getApplicationContext().getBeanFactory();
            if (!beans.containsSingleton("musterHttpClient")) {
                MusterHttpClient client = event.getBootstrapContext().get(MusterHttpClient.class);
                beans.registerSingleton("musterHttpClient", client);
                if (beans instanceof org.springframework.beans.factory.support.DefaultSingletonBeanRegistry registry) {
                    registry.registerDisposableBean("musterHttpClient", client::close); // closed with the context
                }
            }
        });
    }
}
