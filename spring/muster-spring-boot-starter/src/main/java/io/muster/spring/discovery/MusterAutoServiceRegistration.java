package io.muster.spring.discovery;

import io.muster.spring.client.MusterContacts;
import io.muster.spring.actuate.MusterEndpointContributor;
import io.muster.spring.client.MusterClientProperties;
import io.muster.spring.client.MusterUnavailableException;
import io.muster.spring.client.Response;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.cloud.client.discovery.ManagementServerPortUtils;
import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;

/**
 * Registers this application when its web server runs, keeps the lease alive, and deregisters it when
 * the context closes.
 *
 * <ul>
 * <li>Heartbeats ({@code POST .../heartbeat}) every {@code muster.client.discovery.heartbeat-interval}. A 404
 * ({@code instance-not-found} or {@code lease-not-found}: the lease was revoked or ran out) re-registers at
 * once; a registration that failed at start is retried at each beat.</li>
 * <li>Readiness maps to status: {@code REFUSING_TRAFFIC} sets {@code OUT_OF_SERVICE}, and
 * {@code ACCEPTING_TRAFFIC} sets {@code UP} again when readiness had drained it.</li>
 * <li>Deregisters on {@link ContextClosedEvent}, which comes before lifecycles stop, so before the web
 * server's graceful drain (the inherited {@code @PreDestroy} would come after it, SPRING.md pitfall 12),
 * then waits {@code deregister-delay} for peers' caches to drop it. Before the {@code DELETE}, it marks
 * itself stopping (no registration from then on) and waits up to {@value #HEARTBEAT_STOP_MILLIS} ms for a
 * heartbeat under way to end, so that no beat registers the instance again after it was deregistered.</li>
 * </ul>
 *
 * <p>Thread-safe: heartbeats run on one daemon thread of its own; state shared with the event threads is
 * volatile.
 */
public final class MusterAutoServiceRegistration extends AbstractAutoServiceRegistration<MusterRegistration>
        implements MusterEndpointContributor {

    private static final Log logger = LogFactory.getLog(MusterAutoServiceRegistration.class);
    private static final Set<String> GONE = Set.of("instance-not-found", "lease-not-found");
    static final long HEARTBEAT_STOP_MILLIS = 2000;

    private final MusterServiceRegistry registry;
    private final MusterRegistration registration;
    private final MusterClientProperties.Discovery discovery;
    private final MusterContacts contacts;
    private final DiscoveryMetrics metrics;
    private volatile ScheduledExecutorService heartbeats;
    private volatile boolean registered;
    private volatile boolean stopping;
    private volatile boolean drainedByReadiness;
    private volatile long lastHeartbeatMillis;

    public MusterAutoServiceRegistration(ApplicationContext context, MusterServiceRegistry registry,
            AutoServiceRegistrationProperties properties, MusterRegistration registration,
            MusterClientProperties.Discovery discovery, MusterContacts contacts, DiscoveryMetrics metrics) {
        super(context, registry, properties);
        this.registry = registry;
        this.registration = registration;
        this.discovery = discovery;
        this.contacts = contacts;
        this.metrics = metrics;
    }

    @Override
    protected MusterRegistration getRegistration() {
        return registration;
    }

    @Override
    protected MusterRegistration getManagementRegistration() {
        return null;
    }

    @Override
    protected boolean isEnabled() {
        return discovery.isRegister();
    }

    @Override
    @Deprecated
    protected Object getConfiguration() {
        return discovery;
    }

    @Override
    @SuppressWarnings("deprecation")
    protected void register() {
        int serverPort = getPort().get();
        registration.initialize(serverPort, managementPort(serverPort), managementContextPath());
        stopping = false;
        tryRegister();
        startHeartbeats();
    }

    @Override
    protected void deregister() {
        stopping = true;
        stopHeartbeats();
        registered = false;
        super.deregister();
    }

    /** Deregisters before the web server drains, then gives peers' caches a moment to drop this instance. */
    @EventListener
    public void onContextClosed(ContextClosedEvent event) {
        if (event.getApplicationContext() != getContext() || !isRunning()) {
            return; // a child context (a LoadBalancer client's, the management server's) closing
        }
        stop();
        Duration delay = discovery.getDeregisterDelay();
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis()); // deliberate: the watch needs this long to reach every peer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Boot's readiness as the registered status. */
    @EventListener
    public void onReadiness(AvailabilityChangeEvent<ReadinessState> event) {
        if (!discovery.isReadinessStatus() || !registered) {
            return;
        }
        try {
            if (event.getState() == ReadinessState.REFUSING_TRAFFIC && "UP".equals(registration.getStatus())) {
                registry.setStatus(registration, "OUT_OF_SERVICE");
                drainedByReadiness = true;
            } else if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC && drainedByReadiness) {
                registry.setStatus(registration, "UP");
                drainedByReadiness = false;
            }
        } catch (MusterUnavailableException e) {
            contacts.failure(e);
            logger.warn("Could not mirror readiness " + event.getState() + " in Muster: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "registration";
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("service", registration.getServiceId());
        details.put("id", registration.getInstanceId());
        details.put("registered", registered);
        details.put("status", registration.getStatus());
        details.put("lease", registration.getLease());
        long last = lastHeartbeatMillis;
        details.put("msSinceLastHeartbeat", last == 0 ? null : System.currentTimeMillis() - last);
        details.put("heartbeatInterval", discovery.heartbeatIntervalOrDefault().toString());
        return details;
    }

    private void tryRegister() {
        if (stopping) {
            return; // deregistering: a registration now would outlive the DELETE by a ttl
        }
        try {
            registry.register(registration);
            registered = true;
            lastHeartbeatMillis = System.currentTimeMillis();
            contacts.success();
        } catch (MusterUnavailableException e) {
            registered = false;
            contacts.failure(e);
            logger.warn("Could not register " + registration + " (retrying at each heartbeat): " + e.getMessage());
        }
    }

    /** One heartbeat; a lost instance or lease is registered again at once. */
    void beat() {
        if (stopping) {
            return;
        }
        if (!registered) {
            tryRegister();
            metrics.heartbeat(registered ? "reregistered" : "failed");
            return;
        }
        try {
            Response answer = registry.heartbeat(registration);
            if (answer.ok()) {
                lastHeartbeatMillis = System.currentTimeMillis();
                contacts.success();
                metrics.heartbeat("ok");
            } else if (answer.status() == 404 && GONE.contains(problemName(answer))) {
                logger.info("Heartbeat of " + registration + ": " + answer.problemDetail() + "; registering again");
                tryRegister();
                metrics.heartbeat(registered ? "reregistered" : "failed");
            } else {
                contacts.failure(new IllegalStateException(answer.node() + " answered " + answer.status() + " "
                        + answer.problemDetail()));
                metrics.heartbeat("failed");
                logger.warn("Heartbeat of " + registration + ": " + answer.node() + " answered " + answer.status()
                        + " " + answer.problemDetail());
            }
        } catch (MusterUnavailableException e) {
            contacts.failure(e);
            metrics.heartbeat("failed");
            logger.warn("Heartbeat of " + registration + " failed: " + e.getMessage());
        }
    }

    /** The problem's name: its type after the last ':' or '/' ({@code urn:muster:problem:lease-not-found}). */
    static String problemName(Response answer) {
        String type = answer.problemType();
        return type.substring(Math.max(type.lastIndexOf(':'), type.lastIndexOf('/')) + 1);
    }

    private void startHeartbeats() {
        long interval = discovery.heartbeatIntervalOrDefault().toMillis();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "muster-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                beat();
            } catch (RuntimeException e) {
                logger.error("Heartbeat of " + registration + " failed unexpectedly", e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
        heartbeats = timer;
    }

    /**
     * Stops the heartbeats (shutdown cancels the periodic beat) and lets one under way end, up to
     * {@value #HEARTBEAT_STOP_MILLIS} ms, before interrupting it: its request ends before the DELETE goes.
     */
    private void stopHeartbeats() {
        ScheduledExecutorService timer = heartbeats;
        if (timer == null) {
            return;
        }
        heartbeats = null;
        timer.shutdown();
        try {
            if (!timer.awaitTermination(HEARTBEAT_STOP_MILLIS, TimeUnit.MILLISECONDS)) {
                logger.warn("A heartbeat of " + registration + " still ran after " + HEARTBEAT_STOP_MILLIS
                        + " ms; deregistering anyway");
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The actuator's port when it runs on its own, else the server's. */
    private int managementPort(int serverPort) {
        Integer port = ManagementServerPortUtils.isDifferent(getContext()) ? ManagementServerPortUtils.getPort(getContext())
                : null;
        return port != null && port > 0 ? port : serverPort;
    }

    /** Where the actuator's endpoints are, from the root of the port that serves them. */
    private String managementContextPath() {
        Environment environment = getContext().getEnvironment();
        String base = environment.getProperty("management.endpoints.web.base-path", "/actuator");
        String root = ManagementServerPortUtils.isDifferent(getContext())
                ? environment.getProperty("management.server.base-path", "")
                : environment.getProperty("server.servlet.context-path", "");
        return (root.endsWith("/") ? root.substring(0, root.length() - 1) : root) + base;
    }
}
