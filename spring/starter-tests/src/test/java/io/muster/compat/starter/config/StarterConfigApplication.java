package io.muster.compat.starter.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.endpoint.event.RefreshEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * A stock Spring Boot application whose only addition is muster-spring-boot-starter: it has a
 * {@code @ConfigurationProperties} bean, a {@code @RefreshScope} bean, and a listener that counts the
 * refreshes it is told of and the keys each one changed, as an application's own code would. Nothing
 * in it knows Muster.
 */
@SpringBootApplication
@EnableConfigurationProperties(StarterConfigApplication.Settings.class)
public class StarterConfigApplication {

    /** {@code compat.*}, bound as a JavaBean so that a refresh rebinds it in place. */
    @ConfigurationProperties("compat")
    public static class Settings {

        private String greeting;
        private String shared;
        private String other;
        private List<String> list = new ArrayList<>();

        public String getGreeting() {
            return greeting;
        }

        public void setGreeting(String greeting) {
            this.greeting = greeting;
        }

        public String getShared() {
            return shared;
        }

        public void setShared(String shared) {
            this.shared = shared;
        }

        public String getOther() {
            return other;
        }

        public void setOther(String other) {
            this.other = other;
        }

        public List<String> getList() {
            return list;
        }

        public void setList(List<String> list) {
            this.list = list;
        }
    }

    /** Rebuilt with the new value after each refresh. */
    @Component
    @RefreshScope
    public static class Greeter {

        private final String greeting;

        public Greeter(@Value("${compat.greeting:none}") String greeting) {
            this.greeting = greeting;
        }

        public String greeting() {
            return greeting;
        }
    }

    /** The refreshes this application heard of, and the keys each changed. */
    public static class Refreshes {

        private final AtomicInteger events = new AtomicInteger();
        private final List<Set<String>> changes = new CopyOnWriteArrayList<>();

        @EventListener
        public void on(RefreshEvent event) {
            events.incrementAndGet();
        }

        @EventListener
        public void on(EnvironmentChangeEvent event) {
            changes.add(Set.copyOf(event.getKeys()));
        }

        public int events() {
            return events.get();
        }

        public List<Set<String>> changes() {
            return List.copyOf(changes);
        }
    }

    @Bean
    Refreshes refreshes() {
        return new Refreshes();
    }
}
