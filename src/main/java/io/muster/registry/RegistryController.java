package io.muster.registry;

import io.muster.web.MusterHeaders;
import io.muster.core.Role;
import io.muster.security.Caller;
import io.muster.security.RequiresRole;
import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.CommandRules;
import io.muster.core.Instance;
import io.muster.core.InstanceRemoved;
import io.muster.core.InstanceRules;
import io.muster.core.InstanceWritten;
import io.muster.web.RequestParameters;
import io.muster.lease.KnownLeases;
import io.muster.lease.LeaseTtl;
import io.muster.lease.Lessor;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.replication.Reading;
import io.muster.watch.LongPolls;
import io.muster.watch.WatchFilter;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /v1/services}: service instances that register, heart-beat, drain and disappear. */
@RestController
@Tag(name = "services", description = "Service discovery: instances bound to leases")
class RegistryController {

    private static final long DEFAULT_TTL_SECONDS = 30;

    private final Gateway gateway;
    private final Lessor lessor;
    private final LongPolls longPolls;
    private final MusterProperties.Leases leases;

    RegistryController(Gateway gateway, Lessor lessor, LongPolls longPolls, MusterProperties properties) {
        this.gateway = gateway;
        this.lessor = lessor;
        this.longPolls = longPolls;
        this.leases = properties.lease();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PutMapping("/v1/services/{service}/instances/{id}")
    @Operation(summary = "Register or update an instance",
            description = """
                    Registers the instance, or replaces what is known of it. Without lease, a new instance gets \
                    a lease of ttlSeconds (default 30) granted in the same log entry; an existing one keeps its \
                    lease. With lease, it is bound to that lease. Keep it alive with POST .../heartbeat.""")
    @ApiResponse(responseCode = "201", description = "Registered")
    @ApiResponse(responseCode = "200", description = "Updated")
    @Problems({ProblemType.LEASE_NOT_FOUND, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Registered> register(@PathVariable String service, @PathVariable String id,
            @RequestBody RegisterRequest request) {
        Command.RegisterInstance command = command(service, id, request);
        Caller.requireService(service);
        if (command.lease() != 0) {
            // A lease of the caller's own is not the registration's: that needs a token confined to nothing.
            Caller.requireUnconfined();
            KnownLeases.requireNotGone(gateway, command.lease());
        }
        InstanceWritten written = gateway.write(command);
        return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
                .location(URI.create("/v1/services/" + service + "/instances/" + id))
                .header(MusterHeaders.REVISION, Long.toString(written.revision()))
                .body(new Registered(written.revision(), written.created(), written.leaseGranted(),
                        InstanceView.of(written.instance())));
    }

    private Command.RegisterInstance command(String service, String id, RegisterRequest request) {
        if (request.lease() != null && request.ttlSeconds() != null) {
            throw invalid("ttlSeconds", "give ttlSeconds (a new lease) or lease (an existing one), not both");
        }
        if (request.lease() != null && request.lease() <= 0) {
            throw invalid("lease", "lease must be a lease id (positive), not " + request.lease());
        }
        long ttlSeconds = request.ttlSeconds() == null ? DEFAULT_TTL_SECONDS : request.ttlSeconds();
        Command.RegisterInstance command = new Command.RegisterInstance(service, id, request.address(),
                request.port() == null ? 0 : request.port(), request.zone() == null ? "" : request.zone(),
                request.tags() == null ? List.of() : request.tags(),
                new TreeMap<>(request.metadata() == null ? Map.of() : request.metadata()),
                request.status() == null ? Instance.Status.UP : request.status(),
                request.lease() == null ? 0 : request.lease(), LeaseTtl.millis(ttlSeconds, leases));
        String problem = CommandRules.problem(command);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem);
        }
        return command;
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PostMapping("/v1/services/{service}/instances/{id}/heartbeat")
    @Operation(summary = "Keep an instance alive",
            description = """
                    Keeps the instance's lease alive on the leader; nothing is logged. 404 when the instance is \
                    not registered or its lease ran out.""")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    ResponseEntity<Heartbeat> heartbeat(@PathVariable String service, @PathVariable String id) {
        checkNames(service, id);
        Caller.requireService(service);
        Instance instance = gateway.read(Consistency.STALE, 0, store -> store.instance(service, id)).value();
        if (instance == null) {
            instance = existing(service, id);
        }
        if (instance.lease() != instance.createRevision()) {
            // Bound to a lease of its own (granted elsewhere, perhaps holding keys or locks): renewing it is
            // renewing that lease, which a token confined to services may not.
            Caller.requireUnconfined();
        }
        var answer = lessor.keepAlive(instance.lease());
        if (!answer.alive()) {
            throw notFound(service, id).with("lease", instance.lease());
        }
        return ResponseEntity.ok(new Heartbeat(service, id, instance.lease(), answer.ttlMillis() / 1000,
                answer.remainingMillis()));
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PatchMapping("/v1/services/{service}/instances/{id}")
    @Operation(summary = "Set an instance's status",
            description = """
                    {status}: UP, DOWN, STARTING or OUT_OF_SERVICE (drain: alive, but served to no one who asks \
                    for UP instances).""")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Registered> setStatus(@PathVariable String service, @PathVariable String id,
            @RequestBody StatusRequest request) {
        checkNames(service, id);
        Caller.requireService(service);
        if (request.status() == null) {
            throw invalid("status", "status is required: UP, DOWN, STARTING or OUT_OF_SERVICE");
        }
        existing(service, id);
        InstanceWritten written = gateway.write(new Command.SetInstanceStatus(service, id, request.status()));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(written.revision()))
                .body(new Registered(written.revision(), false, false, InstanceView.of(written.instance())));
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @DeleteMapping("/v1/services/{service}/instances/{id}")
    @Operation(summary = "Deregister an instance", description = "Removes it at once; removed says whether it was there.")
    @Problems({ProblemType.IDEMPOTENCY_KEY_REUSED, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Deregistered> deregister(@PathVariable String service, @PathVariable String id) {
        checkNames(service, id);
        Caller.requireService(service);
        InstanceRemoved removed = gateway.write(new Command.DeregisterInstance(service, id));
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(removed.revision()))
                .body(new Deregistered(service, id, removed.revision(), removed.removed()));
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping("/v1/services")
    @Operation(summary = "List services", description = "Every service with its instance count by status.")
    ResponseEntity<Services> services(@RequestParam(required = false) String consistency,
            @RequestParam(required = false) Long minRevision) {
        Reading<List<ServiceSummary>> reading = gateway.read(RequestParameters.consistency(consistency),
                RequestParameters.minRevision(minRevision), store -> {
                    Map<String, Map<Instance.Status, Integer>> counts = new TreeMap<>();
                    for (Instance instance : store.instances()) {
                        counts.computeIfAbsent(instance.service(), name -> new TreeMap<>())
                                .merge(instance.status(), 1, Integer::sum);
                    }
                    List<ServiceSummary> summaries = new ArrayList<>(counts.size());
                    counts.forEach((name, byStatus) -> summaries.add(new ServiceSummary(name,
                            byStatus.values().stream().mapToInt(Integer::intValue).sum(), byStatus)));
                    return summaries;
                });
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new Services(reading.revision(), reading.value()));
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping("/v1/services/{service}")
    @Operation(summary = "Look a service up",
            description = """
                    Its instances that match every filter: status (default UP; a comma list, or any), zone, \
                    every tag given, and every meta.<key>=<value>. Linearizable by default.""")
    ResponseEntity<Lookup> lookup(@PathVariable String service,
            @Parameter(description = "UP (default), a comma list of statuses, or any") @RequestParam(required = false) String status,
            @Parameter(description = "Only instances in this zone") @RequestParam(required = false) String zone,
            @Parameter(description = "Only instances with this tag (repeat for several)") @RequestParam(required = false) List<String> tag,
            @RequestParam(required = false) String consistency, @RequestParam(required = false) Long minRevision,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        InstanceFilter filter = filter(service, status, zone, tag, parameters);
        return lookup(service, filter, RequestParameters.consistency(consistency), RequestParameters.minRevision(minRevision));
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping(path = "/v1/services/{service}", params = "waitRevision")
    @Operation(summary = "Wait for a service to change (long poll)",
            description = """
                    Answers as the plain lookup does, as soon as any instance of the service changed after \
                    waitRevision, or when wait (default 30s, at most 5m) is up, half a second early. If the token \
                    is revoked (or confined to key prefixes) while the request waits or before its read, it answers \
                    401 (or 403) problem+json instead, never data read at or after that change.""")
    @ApiResponse(responseCode = "200", description = "The lookup (as the plain lookup answers it)")
    @ApiResponse(responseCode = "401", description = "The token was revoked while the long poll waited")
    @Problems({ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WAITS})
    CompletableFuture<ResponseEntity<Lookup>> lookupWhenChanged(@PathVariable String service,
            @Parameter(description = "Answer once an instance changed after this revision") @RequestParam Long waitRevision,
            @RequestParam(required = false) String wait,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String zone,
            @RequestParam(required = false) List<String> tag,
            @RequestParam(required = false) String consistency,
            @Parameter(hidden = true) @RequestParam MultiValueMap<String, String> parameters) {
        InstanceFilter filter = filter(service, status, zone, tag, parameters);
        Consistency checkedConsistency = RequestParameters.consistency(consistency);
        return longPolls.after(WatchFilter.service(service), LongPolls.waitRevision(waitRevision),
                LongPolls.parseWait(wait), () -> lookup(service, filter, checkedConsistency, 0));
    }

    private static InstanceFilter filter(String service, String status, String zone, List<String> tag,
            MultiValueMap<String, String> parameters) {
        String problem = InstanceRules.serviceProblem(service);
        if (problem != null) {
            throw invalid("service", problem);
        }
        return new InstanceFilter(statuses(status), zone, tag == null ? List.of() : tag, metadata(parameters));
    }

    private ResponseEntity<Lookup> lookup(String service, InstanceFilter filter, Consistency consistency,
            long minRevision) {
        Reading<List<InstanceView>> reading = gateway.read(consistency, minRevision, store -> {
            List<InstanceView> found = new ArrayList<>();
            for (Instance instance : store.instancesOf(service)) {
                if (filter.matches(instance)) {
                    found.add(InstanceView.of(instance));
                }
            }
            return found;
        });
        return ResponseEntity.ok().header(MusterHeaders.REVISION, Long.toString(reading.revision()))
                .body(new Lookup(service, reading.revision(), reading.value()));
    }

    private Instance existing(String service, String id) {
        Instance instance = gateway.read(Consistency.LINEARIZABLE, 0, store -> store.instance(service, id)).value();
        if (instance == null) {
            throw notFound(service, id);
        }
        return instance;
    }

    private static void checkNames(String service, String id) {
        String problem = InstanceRules.serviceProblem(service);
        if (problem != null) {
            throw invalid("service", problem);
        }
        problem = InstanceRules.idProblem(id);
        if (problem != null) {
            throw invalid("id", problem);
        }
    }

    private static Set<Instance.Status> statuses(String value) {
        if (value == null || value.isBlank()) {
            return EnumSet.of(Instance.Status.UP);
        }
        if (value.equalsIgnoreCase("any")) {
            return EnumSet.allOf(Instance.Status.class);
        }
        Set<Instance.Status> statuses = EnumSet.noneOf(Instance.Status.class);
        for (String one : value.split(",")) {
            try {
                statuses.add(Instance.Status.valueOf(one.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw invalid("status", "status must be UP, DOWN, STARTING, OUT_OF_SERVICE, a comma list of them, or "
                        + "any; not '" + one + "'");
            }
        }
        return statuses;
    }

    private static Map<String, String> metadata(MultiValueMap<String, String> parameters) {
        Map<String, String> wanted = new TreeMap<>();
        parameters.forEach((name, values) -> {
            if (name.startsWith("meta.")) {
                wanted.put(name.substring(5), values.get(0));
            }
        });
        return wanted;
    }

    private static ProblemException notFound(String service, String id) {
        return new ProblemException(ProblemType.INSTANCE_NOT_FOUND, "no instance '" + id + "' of service '" + service
                + "' is registered (never registered, deregistered, or its lease ran out)")
                .with("service", service).with("id", id);
    }

    private static ProblemException invalid(String field, String detail) {
        return new ProblemException(ProblemType.INVALID_REQUEST, detail).with("field", field);
    }

    /** What a lookup keeps: every condition must hold. */
    private record InstanceFilter(Set<Instance.Status> statuses, String zone, List<String> tags,
            Map<String, String> metadata) {

        boolean matches(Instance instance) {
            return statuses.contains(instance.status())
                    && (zone == null || zone.equals(instance.zone()))
                    && instance.tags().containsAll(tags)
                    && metadata.entrySet().stream().allMatch(wanted ->
                            wanted.getValue().equals(instance.metadata().get(wanted.getKey())));
        }
    }

    @Schema(description = "An instance to register")
    record RegisterRequest(
            @Schema(example = "10.0.0.7") String address,
            @Schema(example = "8443") Integer port,
            @Schema(example = "eu-west-1a") String zone,
            List<String> tags,
            Map<String, String> metadata,
            @Schema(description = "Default UP") Instance.Status status,
            @Schema(description = "TTL of the lease granted with a new instance (default 30)") Long ttlSeconds,
            @Schema(description = "Bind to this existing lease instead") Long lease) {
    }

    record StatusRequest(Instance.Status status) {
    }

    record Registered(long revision, boolean created, boolean leaseGranted, InstanceView instance) {
    }

    record Heartbeat(String service, String id, long lease, long ttlSeconds, long remainingMillis) {
    }

    record Deregistered(String service, String id, long revision, boolean removed) {
    }

    record ServiceSummary(String name, int instances, Map<Instance.Status, Integer> byStatus) {
    }

    record Services(long revision, List<ServiceSummary> services) {
    }

    record Lookup(String service, long revision, List<InstanceView> instances) {
    }
}
