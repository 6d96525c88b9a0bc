package io.muster.spring.discovery;

import io.muster.spring.client.InstanceIdentity;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application instance as it registers with Muster. The service, address, zone, tags, labels and
 * user metadata are known at start; the id (whose default includes the port), the port and the
 * management metadata once the web server runs ({@link #initialize}). Its metadata carries the instance
 * labels, so gray rules that match labels match registered instances.
 *
 * <p>Thread-safe: fields written after construction are volatile, and the metadata is replaced whole.
 */
public final class MusterRegistration implements Registration {

    private final String serviceId;
    private final String configuredId;
    private final String address;
    private final String zone;
    private final List<String> tags;
    private final Map<String, String> staticMetadata;
    private final boolean secure;
    private volatile String instanceId;
    private volatile int port;
    private volatile Map<String, String> metadata;
    private volatile String status = "UP";
    private volatile long lease;

    /**
     * @param configuredId   {@code muster.client.instance.id}, or {@code null}
     * @param labels         the instance labels (stored as metadata)
     * @param userMetadata   {@code muster.client.instance.metadata}
     */
    public MusterRegistration(String serviceId, String configuredId, String address, String zone, List<String> tags,
            Map<String, String> labels, Map<String, String> userMetadata, boolean secure) {
        this.serviceId = serviceId;
        this.configuredId = configuredId;
        this.address = address;
        this.zone = zone == null ? "" : zone;
        this.tags = List.copyOf(tags);
        Map<String, String> combined = new LinkedHashMap<>(labels);
        combined.putAll(userMetadata);
        combined.put(MusterInstances.SECURE, Boolean.toString(secure));
        this.staticMetadata = Collections.unmodifiableMap(combined);
        this.metadata = staticMetadata;
        this.secure = secure;
        this.instanceId = InstanceIdentity.defaultId(configuredId, System.getenv("HOSTNAME"), address, serviceId, 0);
    }

    /**
     * The address to register: {@code configured} when set, else {@code podIp} when set, else what
     * {@code fallback} finds (InetUtils' first non-loopback address or host name).
     */
    public static String address(String configured, String podIp, Supplier<String> fallback) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        if (podIp != null && !podIp.isBlank()) {
            return podIp.trim();
        }
        return fallback.get();
    }

    /** Completes the registration once the web server runs: the port, the id's default, the management metadata. */
    public void initialize(int serverPort, int managementPort, String managementContextPath) {
        this.port = serverPort;
        this.instanceId = InstanceIdentity.defaultId(configuredId, System.getenv("HOSTNAME"), address, serviceId,
                serverPort);
        Map<String, String> all = new LinkedHashMap<>(staticMetadata);
        all.put("management.port", Integer.toString(managementPort));
        all.put("management.context-path", managementContextPath);
        this.metadata = Collections.unmodifiableMap(all);
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public String getHost() {
        return address;
    }

    @Override
    public int getPort() {
        return port;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public URI getUri() {
        return ServiceInstance.createUri(this);
    }

    @Override
    public Map<String, String> getMetadata() {
        return metadata;
    }

    @Override
    public String getScheme() {
        return secure ? "https" : "http";
    }

    public String getZone() {
        return zone;
    }

    public List<String> getTags() {
        return tags;
    }

    /** The status this instance registers with, and re-registers with after its lease was lost. */
    public String getStatus() {
        return status;
    }

    void setStatus(String status) {
        this.status = status;
    }

    /** The lease Muster bound the instance to (0 before registration). */
    public long getLease() {
        return lease;
    }

    void setLease(long lease) {
        this.lease = lease;
    }

    @Override
    public String toString() {
        return serviceId + "/" + instanceId + " at " + address + ":" + port;
    }
}
