package io.muster.spring.configdata;

import io.muster.spring.client.InstanceIdentity;
import io.muster.spring.client.MusterClientProperties;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * What one {@code muster:} import loads: the application names and accepted profiles, the label, the
 * nodes to ask, and who asks. One resource per import, whatever the number of profiles: Muster assembles
 * every document of the names and profiles into one answer.
 */
public final class MusterConfigDataResource extends ConfigDataResource {

    private final String names;
    private final List<String> profiles;
    private final String label;
    private final List<URI> urls;
    private final InstanceIdentity identity;
    private final MusterClientProperties properties;
    private final boolean optional;

    MusterConfigDataResource(String names, List<String> profiles, String label, List<URI> urls,
            InstanceIdentity identity, MusterClientProperties properties, boolean optional) {
        super(optional);
        this.names = names;
        this.profiles = List.copyOf(profiles);
        this.label = label;
        this.urls = List.copyOf(urls);
        this.identity = identity;
        this.properties = properties;
        this.optional = optional;
    }

    /** Whether the import was {@code optional:}: start without Muster's configuration when it cannot load. */
    public boolean isOptional() {
        return optional;
    }

    /** The application names, a comma list as Muster reads it. */
    public String names() {
        return names;
    }

    /** The profiles asked for ({@code default} when none is active). */
    public List<String> profiles() {
        return profiles;
    }

    /** The label, or {@code null}. */
    public String label() {
        return label;
    }

    public List<URI> urls() {
        return urls;
    }

    public InstanceIdentity identity() {
        return identity;
    }

    MusterClientProperties properties() {
        return properties;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MusterConfigDataResource that && names.equals(that.names)
                && profiles.equals(that.profiles) && Objects.equals(label, that.label) && urls.equals(that.urls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, profiles, label, urls);
    }

    @Override
    public String toString() {
        return "muster:" + names + " profiles " + profiles + (label == null ? "" : " label " + label) + " from " + urls;
    }
}
