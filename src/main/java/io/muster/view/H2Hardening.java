package io.muster.view;

import org.h2.engine.SysProperties;

/**
 * H2's process-wide switches against Java deserialization. H2 2.x reads them once, when its
 * {@code SysProperties} class is initialised, so {@link #apply} must run before anything touches H2:
 * first thing in {@code MusterApplication.main}, and in {@link View}'s static initializer for
 * applications started otherwise (tests).
 *
 * <ul>
 *   <li>{@code h2.javaObjectSerializer}: H2 2.x deserializes a {@code JAVA_OBJECT} (in
 *       {@code JdbcUtils.deserialize}, when a result is read with {@code getObject}) with the
 *       connection's serializer, else this process-wide one, else a plain {@code ObjectInputStream}
 *       with no class filter. {@link RefusingJavaObjectSerializer} makes every such path throw.</li>
 *   <li>{@code h2.allowedClasses}: the classes H2 may load by name (serializers, triggers, user
 *       functions and aggregates, table engines). H2 2.x does <em>not</em> apply it to deserialization
 *       (read {@code JdbcUtils.deserialize}: no class check), so it is no defence there on its own; set
 *       to the refusing serializer only, it keeps any other user class from being loaded.</li>
 * </ul>
 *
 * ({@code h2.serializeJavaObject} was an H2 1.4 switch; H2 2.x no longer reads it.) Each view database
 * also names the serializer in its URL ({@link ViewDatabase}), which H2 reads per database and so
 * holds even where this came too late.
 */
public final class H2Hardening {

    static final String SERIALIZER = RefusingJavaObjectSerializer.class.getName();

    private H2Hardening() {
    }

    /** Sets the switches; a no-op for H2 if it has already read them (see {@link #effective}). */
    public static void apply() {
        System.setProperty("h2.javaObjectSerializer", SERIALIZER);
        System.setProperty("h2.allowedClasses", SERIALIZER);
    }

    /** Whether H2 read the switches as {@link #apply} sets them (touches H2: call after {@link #apply}). */
    public static boolean effective() {
        return SERIALIZER.equals(SysProperties.JAVA_OBJECT_SERIALIZER) && SERIALIZER.equals(SysProperties.ALLOWED_CLASSES);
    }
}
