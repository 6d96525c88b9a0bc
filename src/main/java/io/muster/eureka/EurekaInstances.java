package io.muster.eureka;

import io.muster.core.Command;
import io.muster.core.Instance;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Translates between a eureka client's instance JSON and Muster's instances: a registration from the
 * client's {@code {"instance":{...}}}, and an instance rendered with exactly the fields the client's
 * codec accepts. Stateless.
 */
final class EurekaInstances {

    static final String PREFIX = "eureka.";
    static final String HOST_NAME = PREFIX + "hostName";
    static final String SECURE_PORT = PREFIX + "securePort";
    static final String SECURE_PORT_ENABLED = PREFIX + "securePortEnabled";
    static final String PORT_ENABLED = PREFIX + "portEnabled";
    static final String HOME_PAGE = PREFIX + "homePageUrl";
    static final String STATUS_PAGE = PREFIX + "statusPageUrl";
    static final String HEALTH_CHECK = PREFIX + "healthCheckUrl";
    static final String LAST_DIRTY = PREFIX + "lastDirtyTimestamp";
    static final String OVERRIDDEN = PREFIX + "overriddenStatus";
    static final String RENEWAL = PREFIX + "renewalIntervalInSecs";
    static final String DURATION = PREFIX + "durationInSecs";
    private static final int DEFAULT_DURATION_SECONDS = 90;
    private static final int MAX_OWN_METADATA = 20;

    private EurekaInstances() {
    }

    /** The service an application name stands for: Muster's services are lower case, Eureka's apps upper. */
    static String service(String app) {
        return app.toLowerCase(Locale.ROOT);
    }

    /**
     * The registration a client's instance JSON asks for. A standing {@code OUT_OF_SERVICE} override
     * (set through the status endpoint) is kept, whatever status the client reports.
     */
    static Command.RegisterInstance registration(String app, JsonNode instance, Instance existing, long ttlMillis) {
        String id = text(instance, "instanceId");
        if (id == null) {
            id = text(instance, "hostName");
        }
        String address = text(instance, "ipAddr");
        if (id == null || address == null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "an instance needs instanceId (or hostName) and ipAddr")
                    .with("field", "instance");
        }
        boolean portEnabled = enabled(instance.path("port"), true);
        boolean securePortEnabled = enabled(instance.path("securePort"), false);
        int port = instance.path("port").path("$").asInt(0);
        int securePort = instance.path("securePort").path("$").asInt(0);
        SortedMap<String, String> metadata = new TreeMap<>();
        // The client's own metadata, as far as Muster's rules for metadata allow (room is left for eureka.*).
        instance.path("metadata").properties().forEach(field -> {
            if (metadata.size() < MAX_OWN_METADATA && field.getKey().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
                    && !field.getKey().startsWith(PREFIX) && field.getValue().isValueNode()
                    && field.getValue().asString().length() <= 255) {
                metadata.put(field.getKey(), field.getValue().asString());
            }
        });
        put(metadata, HOST_NAME, text(instance, "hostName"));
        put(metadata, SECURE_PORT, Integer.toString(securePort));
        put(metadata, SECURE_PORT_ENABLED, Boolean.toString(securePortEnabled));
        put(metadata, PORT_ENABLED, Boolean.toString(portEnabled));
        put(metadata, HOME_PAGE, text(instance, "homePageUrl"));
        put(metadata, STATUS_PAGE, text(instance, "statusPageUrl"));
        put(metadata, HEALTH_CHECK, text(instance, "healthCheckUrl"));
        put(metadata, LAST_DIRTY, text(instance, "lastDirtyTimestamp"));
        put(metadata, RENEWAL, text(instance.path("leaseInfo"), "renewalIntervalInSecs"));
        put(metadata, DURATION, Long.toString(ttlMillis / 1000));
        Instance.Status status = status(text(instance, "status"));
        String override = existing == null ? null : existing.metadata().get(OVERRIDDEN);
        if (override != null) {
            metadata.put(OVERRIDDEN, override);
            status = Instance.Status.valueOf(override);
        }
        String service = text(instance, "vipAddress") != null ? service(text(instance, "vipAddress")) : service(app);
        return new Command.RegisterInstance(service, id, address, portEnabled || securePort == 0 ? port : securePort,
                metadata.getOrDefault("zone", ""), List.of(), metadata, status, 0, ttlMillis);
    }

    /** The lease a registration asks for, from {@code leaseInfo.durationInSecs} (Eureka's default 90 s). */
    static long durationSeconds(JsonNode instance) {
        int seconds = instance.path("leaseInfo").path("durationInSecs").asInt(0);
        return seconds > 0 ? seconds : DEFAULT_DURATION_SECONDS;
    }

    /** The same instance registered again with a status override set ({@code null}: removed). */
    static Command.RegisterInstance overridden(Instance instance, Instance.Status override, Instance.Status status) {
        SortedMap<String, String> metadata = new TreeMap<>(instance.metadata());
        if (override == null) {
            metadata.remove(OVERRIDDEN);
        } else {
            metadata.put(OVERRIDDEN, override.name());
        }
        long ttlMillis = Long.parseLong(metadata.getOrDefault(DURATION, Integer.toString(DEFAULT_DURATION_SECONDS))) * 1000;
        return new Command.RegisterInstance(instance.service(), instance.id(), instance.address(), instance.port(),
                instance.zone(), instance.tags(), metadata, status, 0, ttlMillis);
    }

    /** Eureka's statuses onto Muster's: UNKNOWN (or anything else) counts as STARTING. */
    static Instance.Status status(String eureka) {
        if (eureka == null) {
            return Instance.Status.UP;
        }
        return switch (eureka.toUpperCase(Locale.ROOT)) {
            case "UP" -> Instance.Status.UP;
            case "DOWN" -> Instance.Status.DOWN;
            case "OUT_OF_SERVICE" -> Instance.Status.OUT_OF_SERVICE;
            default -> Instance.Status.STARTING;
        };
    }

    /** An instance as a eureka client decodes it: only fields its codec knows, arrays never null. */
    static Map<String, Object> render(Instance instance) {
        Map<String, String> metadata = instance.metadata();
        String app = instance.service().toUpperCase(Locale.ROOT);
        String time = Long.toString(instance.modifiedAtMillis());
        boolean portEnabled = Boolean.parseBoolean(metadata.getOrDefault(PORT_ENABLED, "true"));
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("instanceId", instance.id());
        rendered.put("hostName", metadata.getOrDefault(HOST_NAME, instance.address()));
        rendered.put("app", app);
        rendered.put("ipAddr", instance.address());
        rendered.put("status", instance.status().name());
        rendered.put("overriddenStatus", metadata.getOrDefault(OVERRIDDEN, "UNKNOWN"));
        rendered.put("port", port(portEnabled ? instance.port() : 0, portEnabled));
        rendered.put("securePort", port(Integer.parseInt(metadata.getOrDefault(SECURE_PORT, "443")),
                Boolean.parseBoolean(metadata.getOrDefault(SECURE_PORT_ENABLED, "false"))));
        rendered.put("countryId", 1);
        Map<String, Object> dataCenter = new LinkedHashMap<>();
        dataCenter.put("@class", "com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo");
        dataCenter.put("name", "MyOwn");
        rendered.put("dataCenterInfo", dataCenter);
        Map<String, Object> lease = new LinkedHashMap<>();
        lease.put("renewalIntervalInSecs", Integer.parseInt(metadata.getOrDefault(RENEWAL, "30")));
        lease.put("durationInSecs", Integer.parseInt(metadata.getOrDefault(DURATION, "90")));
        lease.put("registrationTimestamp", instance.modifiedAtMillis());
        lease.put("lastRenewalTimestamp", instance.modifiedAtMillis());
        lease.put("evictionTimestamp", 0);
        lease.put("serviceUpTimestamp", instance.modifiedAtMillis());
        rendered.put("leaseInfo", lease);
        Map<String, String> own = new TreeMap<>();
        metadata.forEach((key, value) -> {
            if (!key.startsWith(PREFIX)) {
                own.put(key, value);
            }
        });
        rendered.put("metadata", own.isEmpty() ? Map.of("@class", "java.util.Collections$EmptyMap") : own);
        rendered.put("homePageUrl", metadata.getOrDefault(HOME_PAGE, ""));
        rendered.put("statusPageUrl", metadata.getOrDefault(STATUS_PAGE, ""));
        rendered.put("healthCheckUrl", metadata.getOrDefault(HEALTH_CHECK, ""));
        rendered.put("vipAddress", instance.service());
        rendered.put("secureVipAddress", instance.service());
        rendered.put("isCoordinatingDiscoveryServer", "false");
        rendered.put("lastUpdatedTimestamp", time);
        rendered.put("lastDirtyTimestamp", metadata.getOrDefault(LAST_DIRTY, time));
        rendered.put("actionType", "ADDED");
        return rendered;
    }

    /** The applications a full fetch answers: one per service, upper case, with the hash code clients check. */
    static Map<String, Object> applications(List<Instance> instances) {
        Map<String, List<Instance>> byService = new TreeMap<>();
        instances.forEach(instance -> byService.computeIfAbsent(instance.service(), any -> new ArrayList<>()).add(instance));
        List<Map<String, Object>> applications = new ArrayList<>();
        byService.forEach((service, members) -> applications.add(application(service, members)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("versions__delta", "1");
        body.put("apps__hashcode", hashCode(instances));
        body.put("application", applications);
        return Map.of("applications", body);
    }

    static Map<String, Object> application(String service, List<Instance> instances) {
        Map<String, Object> application = new LinkedHashMap<>();
        application.put("name", service.toUpperCase(Locale.ROOT));
        application.put("instance", instances.stream().map(EurekaInstances::render).toList());
        return application;
    }

    /** Eureka's reconciliation hash: each status with its count, in status order, e.g. {@code DOWN_1_UP_2_}. */
    static String hashCode(List<Instance> instances) {
        Map<String, Integer> counts = new TreeMap<>();
        instances.forEach(instance -> counts.merge(instance.status().name(), 1, Integer::sum));
        StringBuilder hash = new StringBuilder();
        counts.forEach((status, count) -> hash.append(status).append('_').append(count).append('_'));
        return hash.toString();
    }

    private static Map<String, Object> port(int port, boolean enabled) {
        Map<String, Object> rendered = new LinkedHashMap<>();
        rendered.put("$", port);
        rendered.put("@enabled", Boolean.toString(enabled));
        return rendered;
    }

    private static boolean enabled(JsonNode port, boolean otherwise) {
        JsonNode flag = port.path("@enabled");
        return flag.isMissingNode() || flag.isNull() ? otherwise : flag.asString().equalsIgnoreCase("true");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() || value.asString().isEmpty() ? null : value.asString();
    }

    private static void put(Map<String, String> metadata, String key, String value) {
        if (value != null) {
            metadata.put(key, value.length() > 255 ? value.substring(0, 255) : value);
        }
    }
}
