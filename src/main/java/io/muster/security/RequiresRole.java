package io.muster.security;

import io.muster.core.Role;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The role an endpoint needs. Every request mapping of the API carries one (on the method or its
 * controller); {@link RoleInterceptor} refuses a mapping without it, so a new endpoint cannot be
 * forgotten open.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface RequiresRole {

    Role value();

    /**
     * Whether tokens confined to key prefixes may call it: the endpoint then checks each key it
     * touches itself (through {@link Caller}), or touches no key data at all (cluster status).
     * Otherwise a confined token is refused outright.
     */
    boolean keyScoped() default false;

    /**
     * Whether tokens confined to services may call it: a write then checks the service it writes
     * itself (through {@link Caller#requireService}); a read of the registry needs only that the token
     * names some service. Otherwise a confined token is refused outright.
     */
    boolean serviceScoped() default false;
}
