package io.muster.spring.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code muster.client.*}: how an application reaches Muster, who it is, and what it takes from it.
 * Bound twice: from the {@code Binder} while configuration data loads (before there is a context), and
 * as a bean afterwards; both see the same properties.
 */
@ConfigurationProperties(prefix = MusterClientProperties.PREFIX)
public class MusterClientProperties {

    public static final String PREFIX = "muster.client";

    /** Whether the starter does anything at all. */
    private boolean enabled = true;

    /**
     * The Muster nodes, tried in order; a request that cannot reach one (or that one answers 503) goes
     * to the next. A {@code muster:} import that names URLs replaces these.
     */
    private List<URI> url = new ArrayList<>(List.of(URI.create("http://127.0.0.1:8080")));

    /** The API token (a reader on config/{name}/ for configuration; a writer on the service to register). */
    private String token;

    /** How long to wait for a connection to a node. */
    private Duration connectTimeout = Duration.ofSeconds(2);

    /** How long to wait for an answer to a request (streams excepted). */
    private Duration readTimeout = Duration.ofSeconds(10);

    private final Instance instance = new Instance();

    private final Config config = new Config();

    private final Discovery discovery = new Discovery();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public List<URI> getUrl() {
        return url;
    }

    public void setUrl(List<URI> url) {
        this.url = url;
    }

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public Instance getInstance() {
        return instance;
    }

    public Config getConfig() {
        return config;
    }

    public Discovery getDiscovery() {
        return discovery;
    }

    /** Who this application instance is, to the registry and to gray rules. */
    public static class Instance {

        /**
         * The instance id. Default: {@code HOSTNAME} when set (the pod's name on Kubernetes), else
         * {@code host:application:port}.
         */
        private String id;

        /** Labels that gray rules match, sent with every configuration request and stored as metadata. */
        private Map<String, String> labels = new LinkedHashMap<>();

        /** Metadata registered with the instance, beside the labels and the management port. */
        private Map<String, String> metadata = new LinkedHashMap<>();

        /** Tags registered with the instance. */
        private List<String> tags = new ArrayList<>();

        /** The failure domain the instance is in (LoadBalancer zone preference reads it). */
        private String zone;

        /** The address to register; default: {@code POD_IP} when set, else this host's first non-loopback address. */
        private String address;

        /** Register the address rather than the host name (the default: pod names do not resolve across pods). */
        private boolean preferIpAddress = true;

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public Map<String, String> getLabels() {
            return labels;
        }

        public void setLabels(Map<String, String> labels) {
            this.labels = labels;
        }

        public Map<String, String> getMetadata() {
            return metadata;
        }

        public void setMetadata(Map<String, String> metadata) {
            this.metadata = metadata;
        }

        public List<String> getTags() {
            return tags;
        }

        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }

        public String getAddress() {
            return address;
        }

        public void setAddress(String address) {
            this.address = address;
        }

        public boolean isPreferIpAddress() {
            return preferIpAddress;
        }

        public void setPreferIpAddress(boolean preferIpAddress) {
            this.preferIpAddress = preferIpAddress;
        }
    }

    /** Configuration from Muster: {@code spring.config.import=muster:}. */
    public static class Config {

        /** Whether the {@code muster:} import loads anything (off: it resolves to nothing, and there is no import check). */
        private boolean enabled = true;

        /** The application names (a comma list); default: {@code spring.application.name}. */
        private String name;

        /** The label to ask for; default: none (the current documents). */
        private String label;

        private final Retry retry = new Retry();

        private final ImportCheck importCheck = new ImportCheck();

        private final Watch watch = new Watch();

        /**
         * Upload this application's configuration metadata (every {@code META-INF/spring-configuration-metadata.json}
         * on the classpath, compacted) as the schema releases are validated against. Needs an admin token.
         */
        private boolean uploadSchema = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getLabel() {
            return label;
        }

        public void setLabel(String label) {
            this.label = label;
        }

        public Retry getRetry() {
            return retry;
        }

        public ImportCheck getImportCheck() {
            return importCheck;
        }

        public Watch getWatch() {
            return watch;
        }

        public boolean isUploadSchema() {
            return uploadSchema;
        }

        public void setUploadSchema(boolean uploadSchema) {
            this.uploadSchema = uploadSchema;
        }
    }

    /** How the first load retries when Muster cannot answer (never on 401 or 403). */
    public static class Retry {

        /** Attempts in all, the first included. */
        private int maxAttempts = 6;

        /** The wait after the first failed attempt. */
        private Duration initialInterval = Duration.ofSeconds(1);

        /** Each further wait is this many times the one before. */
        private double multiplier = 1.5;

        /** The longest wait. */
        private Duration maxInterval = Duration.ofSeconds(10);

        public int getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getInitialInterval() {
            return initialInterval;
        }

        public void setInitialInterval(Duration initialInterval) {
            this.initialInterval = initialInterval;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public Duration getMaxInterval() {
            return maxInterval;
        }

        public void setMaxInterval(Duration maxInterval) {
            this.maxInterval = maxInterval;
        }
    }

    /** The start-up check that the starter's configuration is imported. */
    public static class ImportCheck {

        /** Fail start-up when configuration is enabled and no {@code spring.config.import} names {@code muster:}. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Push refresh: a stream that says when this application's configuration changed. */
    public static class Watch {

        /** Refresh when Muster says the configuration this instance would load changed. */
        private boolean enabled = true;

        /** A refresh waits a random time up to this, so that a fleet does not reload at one instant. */
        private Duration refreshJitter = Duration.ofSeconds(2);

        /** The first wait before reconnecting a broken stream (then doubled up to max-reconnect-delay). */
        private Duration reconnectDelay = Duration.ofMillis(200);

        /** The longest wait before reconnecting. */
        private Duration maxReconnectDelay = Duration.ofSeconds(5);

        /**
         * A stream that carries nothing, not even a heartbeat, this long is taken for broken and opened again
         * on another node. Muster writes to an environment stream at least every
         * {@code muster.watch.environment-heartbeat-interval} (5 s, at most 7 s).
         */
        private Duration idleTimeout = Duration.ofSeconds(15);

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getRefreshJitter() {
            return refreshJitter;
        }

        public void setRefreshJitter(Duration refreshJitter) {
            this.refreshJitter = refreshJitter;
        }

        public Duration getReconnectDelay() {
            return reconnectDelay;
        }

        public void setReconnectDelay(Duration reconnectDelay) {
            this.reconnectDelay = reconnectDelay;
        }

        public Duration getMaxReconnectDelay() {
            return maxReconnectDelay;
        }

        public void setMaxReconnectDelay(Duration maxReconnectDelay) {
            this.maxReconnectDelay = maxReconnectDelay;
        }
    }

    /** Registration, heartbeats and discovery. */
    public static class Discovery {

        /** Whether discovery and registration are on (spring.cloud.discovery.enabled=false also turns them off). */
        private boolean enabled = true;

        /** Register this application on start and deregister it when its context closes. */
        private boolean register = true;

        /** The service to register as; default: {@code spring.application.name}. */
        private String serviceName;

        /** The lease's time to live: an instance that stops heartbeating is gone after it. */
        private Duration ttl = Duration.ofSeconds(15);

        /** How often to heartbeat; default: a third of the ttl. */
        private Duration heartbeatInterval;

        /** Map Spring Boot's readiness to the registered status (REFUSING_TRAFFIC is OUT_OF_SERVICE). */
        private boolean readinessStatus = true;

        /**
         * After deregistering at shutdown, wait this long before the web server drains, so that peers' caches
         * (fed by a watch, usually within milliseconds) stop routing here before the port closes.
         */
        private Duration deregisterDelay = Duration.ofSeconds(1);

        /** The first wait before reopening a broken service watch (then doubled up to max-reconnect-delay). */
        private Duration reconnectDelay = Duration.ofMillis(200);

        /** The longest wait before reopening a broken service watch. */
        private Duration maxReconnectDelay = Duration.ofSeconds(5);

        /** A service watch that carries nothing, not even a heartbeat, for this long is treated as broken. */
        private Duration watchIdleTimeout = Duration.ofSeconds(10);

        private final Cache cache = new Cache();

        public Duration getDeregisterDelay() {
            return deregisterDelay;
        }

        public void setDeregisterDelay(Duration deregisterDelay) {
            this.deregisterDelay = deregisterDelay;
        }

        public Duration getReconnectDelay() {
            return reconnectDelay;
        }

        public void setReconnectDelay(Duration reconnectDelay) {
            this.reconnectDelay = reconnectDelay;
        }

        public Duration getMaxReconnectDelay() {
            return maxReconnectDelay;
        }

        public void setMaxReconnectDelay(Duration maxReconnectDelay) {
            this.maxReconnectDelay = maxReconnectDelay;
        }

        public Duration getWatchIdleTimeout() {
            return watchIdleTimeout;
        }

        public void setWatchIdleTimeout(Duration watchIdleTimeout) {
            this.watchIdleTimeout = watchIdleTimeout;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public boolean isRegister() {
            return register;
        }

        public void setRegister(boolean register) {
            this.register = register;
        }

        public String getServiceName() {
            return serviceName;
        }

        public void setServiceName(String serviceName) {
            this.serviceName = serviceName;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public Duration getHeartbeatInterval() {
            return heartbeatInterval;
        }

        public void setHeartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
        }

        /** The heartbeat interval in effect: as set, or a third of the ttl. */
        public Duration heartbeatIntervalOrDefault() {
            return heartbeatInterval != null ? heartbeatInterval : ttl.dividedBy(3);
        }

        public boolean isReadinessStatus() {
            return readinessStatus;
        }

        public void setReadinessStatus(boolean readinessStatus) {
            this.readinessStatus = readinessStatus;
        }

        public Cache getCache() {
            return cache;
        }
    }

    /** The discovery cache, fed by one service watch. */
    public static class Cache {

        /** At most this many services are cached and watched; the least recently asked for goes first. */
        private int maxServices = 256;

        public int getMaxServices() {
            return maxServices;
        }

        public void setMaxServices(int maxServices) {
            this.maxServices = maxServices;
        }
    }
}
