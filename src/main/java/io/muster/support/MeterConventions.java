package io.muster.support;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps every meter within Prometheus' conventions, in one place, so that {@code /actuator/prometheus}
 * passes {@code promtool check metrics}: each meter has a description (its HELP line; Micrometer's
 * observation-based and Tomcat's meters bring none), no gauge ends in {@code _count} (a suffix reserved
 * for histograms and summaries), and no name carries an abbreviated or non-base unit: the CPU time of
 * the process is counted in seconds ({@code process_cpu_seconds_total}, as Prometheus' own clients
 * name it) instead of nanoseconds, and the JIT's compile time in milliseconds is left out.
 */
@Configuration(proxyBeanMethods = false)
class MeterConventions {

    /** Meters whose unit is abbreviated, and not base: no conversion of a meter's values is possible here. */
    private static final Set<String> DENIED = Set.of("jvm.compilation.time", "process.cpu.time");
    /** Gauges named as a count; Prometheus reserves {@code _count} for histograms and summaries. */
    private static final Map<String, String> RENAMED = Map.of(
            "system.cpu.count", "system.cpus",
            "muster.lease.count", "muster.leases");
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "http.server.requests", "HTTP requests this node answered, by method, URI template, status and outcome",
            "http.server.requests.active", "HTTP requests this node is answering now",
            "muster.leases", "Leases in the applied state",
            "system.cpus", "The number of processors available to the Java virtual machine");

    @Bean
    MeterFilter prometheusConventions() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return DENIED.contains(id.getName()) ? MeterFilterReply.DENY
                        : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                String name = RENAMED.getOrDefault(id.getName(), id.getName());
                String description = id.getDescription() != null && !RENAMED.containsKey(id.getName())
                        ? id.getDescription() : DESCRIPTIONS.getOrDefault(name, "Micrometer's " + name + " meter");
                return name.equals(id.getName()) && description.equals(id.getDescription()) ? id
                        : new Meter.Id(name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
            }
        };
    }

    /** The process's CPU time in seconds, where Micrometer counts it in nanoseconds. */
    @Bean
    MeterBinder processCpuSeconds() {
        return registry -> {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9).baseUnit("seconds")
                        .description("CPU time the Java virtual machine's process used").register(registry);
            }
        };
    }
}
