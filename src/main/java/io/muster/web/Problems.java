package io.muster.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problems an endpoint answers beyond those every endpoint may ({@link ProblemResponses} adds
 * both to the OpenAPI document, each status as application/problem+json with the problem schema). Only
 * documents: the endpoint still throws what it throws.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Problems {

    ProblemType[] value();
}
