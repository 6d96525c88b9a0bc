package io.muster.compat.client;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.stereotype.Component;

/** A {@code @RefreshScope} bean: rebuilt with the new value after a refresh. */
@Component
@RefreshScope
public class Greeter {

    private final String greeting;

    public Greeter(@Value("${compat.greeting:none}") String greeting) {
        this.greeting = greeting;
    }

    public String greeting() {
        return greeting;
    }
}
