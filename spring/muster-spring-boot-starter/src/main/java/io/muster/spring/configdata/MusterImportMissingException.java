package io.muster.spring.configdata;

/** The starter is on the class path, configuration is enabled, and nothing imports {@code muster:}. */
public class MusterImportMissingException extends RuntimeException {

    public MusterImportMissingException() {
        super("No spring.config.import names muster: although muster-spring-boot-starter is on the class path "
                + "and muster.client.config.enabled is true");
    }
}
