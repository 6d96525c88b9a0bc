package io.muster.eureka;

import io.muster.MusterProperties;
import io.muster.core.Command;
import io.muster.core.Instance;
import io.muster.core.InstanceRemoved;
import io.muster.core.Role;
import io.muster.lease.LeaseTtl;
import io.muster.lease.Lessor;
import io.muster.replication.Consistency;
import io.muster.replication.Gateway;
import io.muster.security.Caller;
import io.muster.security.RequiresRole;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code /eureka/apps}: the part of Eureka's REST API a stock eureka client calls, over the service
 * registry (see the package comment). Writes go through Raft like the registry's own; a renewal is a
 * keep-alive of the instance's lease on the leader, never logged.
 */
@RestController
@Tag(name = "eureka", description = "The Eureka REST subset stock eureka clients need (JSON only)")
class EurekaController {

    private final Gateway gateway;
    private final Lessor lessor;
    private final MusterProperties.Leases leases;

    EurekaController(Gateway gateway, Lessor lessor, MusterProperties properties) {
        this.gateway = gateway;
        this.lessor = lessor;
        this.leases = properties.lease();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PostMapping(path = "/eureka/apps/{app}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Register an instance (eureka client)", description = """
            {"instance": {...}} as a eureka client sends it: registers (or re-registers) the instance of \
            service app (lower case; its vipAddress when given) with a lease of leaseInfo.durationInSecs \
            (default 90). A standing OUT_OF_SERVICE override is kept. 204, the only success the client \
            accepts.""")
    @Problems({ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> register(@PathVariable String app, @RequestBody JsonNode body) {
        JsonNode instance = body == null ? null : body.path("instance");
        if (instance == null || !instance.isObject()) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, "the body must be {\"instance\": {...}}")
                    .with("field", "instance");
        }
        String id = instance.path("instanceId").asString("");
        Instance existing = id.isEmpty() ? null : read(EurekaInstances.service(app), id);
        Command.RegisterInstance command = EurekaInstances.registration(app, instance, existing,
                LeaseTtl.millis(EurekaInstances.durationSeconds(instance), leases));
        Caller.requireService(command.service());
        gateway.write(command);
        return ResponseEntity.noContent().build();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PutMapping("/eureka/apps/{app}/{id}")
    @Operation(summary = "Renew an instance's lease (eureka client heartbeat)", description = """
            Keeps the instance's lease alive on the leader; nothing is logged. 404 when the instance is \
            unknown, its lease ended, or the client's lastDirtyTimestamp is newer than the registration's: \
            the client then registers again.""")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.READ_UNAVAILABLE})
    ResponseEntity<Void> renew(@PathVariable String app, @PathVariable String id,
            @RequestParam(required = false) String lastDirtyTimestamp, @RequestParam(required = false) String status) {
        String service = EurekaInstances.service(app);
        Caller.requireService(service);
        Instance instance = existing(service, id);
        String stored = instance.metadata().get(EurekaInstances.LAST_DIRTY);
        if (lastDirtyTimestamp != null && stored != null && newer(lastDirtyTimestamp, stored)) {
            throw notFound(service, id);
        }
        if (instance.lease() != instance.createRevision()) {
            Caller.requireUnconfined(); // a lease of its own, perhaps holding keys or locks
        }
        if (!lessor.keepAlive(instance.lease()).alive()) {
            throw notFound(service, id);
        }
        return ResponseEntity.ok().build();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @DeleteMapping("/eureka/apps/{app}/{id}")
    @Operation(summary = "Cancel an instance (eureka client shutdown)", description = "Deregisters it; 404 when unknown.")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> cancel(@PathVariable String app, @PathVariable String id) {
        String service = EurekaInstances.service(app);
        Caller.requireService(service);
        InstanceRemoved removed = gateway.write(new Command.DeregisterInstance(service, checkedId(id)));
        if (!removed.removed()) {
            throw notFound(service, id);
        }
        return ResponseEntity.ok().build();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @PutMapping("/eureka/apps/{app}/{id}/status")
    @Operation(summary = "Override an instance's status", description = """
            value=OUT_OF_SERVICE (or another status) sets a standing override, kept across the client's \
            own registrations until removed with DELETE .../status.""")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> override(@PathVariable String app, @PathVariable String id, @RequestParam String value) {
        String service = EurekaInstances.service(app);
        Caller.requireService(service);
        Instance.Status status = EurekaInstances.status(value);
        gateway.write(EurekaInstances.overridden(existing(service, id), status, status));
        return ResponseEntity.ok().build();
    }

    @RequiresRole(value = Role.WRITER, serviceScoped = true)
    @DeleteMapping("/eureka/apps/{app}/{id}/status")
    @Operation(summary = "Remove an instance's status override", description = "The status becomes value (default UP).")
    @Problems({ProblemType.INSTANCE_NOT_FOUND, ProblemType.WRITE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> removeOverride(@PathVariable String app, @PathVariable String id,
            @RequestParam(required = false) String value) {
        String service = EurekaInstances.service(app);
        Caller.requireService(service);
        gateway.write(EurekaInstances.overridden(existing(service, id), null,
                value == null ? Instance.Status.UP : EurekaInstances.status(value)));
        return ResponseEntity.ok().build();
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping(path = {"/eureka/apps", "/eureka/apps/"}, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Every registered instance (eureka client full fetch)",
            description = "This node's applied registry, every status, in the eureka client's JSON.")
    Map<String, Object> applications() {
        return EurekaInstances.applications(gateway.read(Consistency.STALE, 0,
                store -> List.copyOf(store.instances())).value());
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping(path = "/eureka/apps/delta")
    @Operation(summary = "Delta fetch: not offered", description = "Always 404: the client falls back to a full fetch.")
    @Problems({ProblemType.NOT_FOUND})
    ResponseEntity<Void> delta() {
        throw new ProblemException(ProblemType.NOT_FOUND, "Muster offers no delta: fetch /eureka/apps/");
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping(path = "/eureka/apps/{app}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One application's instances")
    @Problems({ProblemType.INSTANCE_NOT_FOUND})
    Map<String, Object> application(@PathVariable String app) {
        String service = EurekaInstances.service(app);
        List<Instance> instances = gateway.read(Consistency.STALE, 0,
                store -> List.copyOf(store.instancesOf(service))).value();
        if (instances.isEmpty()) {
            throw new ProblemException(ProblemType.INSTANCE_NOT_FOUND, "no instance of '" + service + "'")
                    .with("service", service);
        }
        return Map.of("application", EurekaInstances.application(service, instances));
    }

    @RequiresRole(value = Role.READER, serviceScoped = true)
    @GetMapping(path = "/eureka/apps/{app}/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One instance")
    @Problems({ProblemType.INSTANCE_NOT_FOUND})
    Map<String, Object> instance(@PathVariable String app, @PathVariable String id) {
        return Map.of("instance", EurekaInstances.render(existing(EurekaInstances.service(app), id)));
    }

    private Instance read(String service, String id) {
        return gateway.read(Consistency.STALE, 0, store -> store.instance(service, id)).value();
    }

    private Instance existing(String service, String id) {
        Instance instance = read(service, checkedId(id));
        if (instance == null) {
            throw notFound(service, id);
        }
        return instance;
    }

    private static String checkedId(String id) {
        String problem = io.muster.core.InstanceRules.idProblem(id);
        if (problem != null) {
            throw new ProblemException(ProblemType.INVALID_REQUEST, problem).with("field", "id");
        }
        return id;
    }

    private static boolean newer(String sent, String stored) {
        try {
            return Long.parseLong(sent) > Long.parseLong(stored);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static ProblemException notFound(String service, String id) {
        return new ProblemException(ProblemType.INSTANCE_NOT_FOUND, "no instance '" + id + "' of '" + service
                + "' (never registered, cancelled, or its lease ended)").with("service", service).with("id", id);
    }
}
