package io.muster.web;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanProperty;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.PropertyName;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.util.AccessPattern;

/**
 * For a field that may be left out but not sent as {@code null} ({@code @JsonDeserialize(using =
 * NoExplicitNull.class)}): its value is read as usual, an explicit {@code null} is a 400 naming the
 * field, and an absent field stays {@code null}. Jackson's own {@code Nulls.FAIL} cannot say this: on a
 * record it refuses the absent field too. Thread-safe: immutable once contextualized.
 */
public final class NoExplicitNull extends ValueDeserializer<Object> {

    private final ValueDeserializer<Object> delegate;
    private final BeanProperty property;

    /** The annotation's instance, before Jackson contextualizes it for a property. */
    public NoExplicitNull() {
        this(null, null);
    }

    private NoExplicitNull(ValueDeserializer<Object> delegate, BeanProperty property) {
        this.delegate = delegate;
        this.property = property;
    }

    @Override
    public ValueDeserializer<?> createContextual(DeserializationContext context, BeanProperty property) {
        return new NoExplicitNull(context.findContextualValueDeserializer(property.getType(), property), property);
    }

    @Override
    public Object deserialize(JsonParser parser, DeserializationContext context) {
        return delegate.deserialize(parser, context);
    }

    @Override
    public Object getNullValue(DeserializationContext context) {
        PropertyName name = property == null ? null : property.getFullName();
        throw InvalidNullException.from(context, name, property == null ? null : property.getType());
    }

    @Override
    public Object getAbsentValue(DeserializationContext context) {
        return null;
    }

    @Override
    public AccessPattern getNullAccessPattern() {
        return AccessPattern.DYNAMIC;
    }
}
