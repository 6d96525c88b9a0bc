package io.muster.spring.actuate;

import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterContacts;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/muster}: the node reached, the revision seen, recent contacts, and one section per
 * {@link MusterEndpointContributor} bean (registration, discovery, and whatever else contributes).
 *
 * <p>Thread-safe: it reads thread-safe state only.
 */
@Endpoint(id = "muster")
public class MusterEndpoint {

    private final MusterHttpClient client;
    private final MusterContacts contacts;
    private final List<MusterEndpointContributor> contributors;

    /** {@code contacts} may be {@code null} when neither registration nor discovery runs. */
    public MusterEndpoint(MusterHttpClient client, MusterContacts contacts, List<MusterEndpointContributor> contributors) {
        this.client = client;
        this.contacts = contacts;
        this.contributors = List.copyOf(contributors);
    }

    @ReadOperation
    public Map<String, Object> muster() {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("node", client.current().toString());
        answer.put("nodes", client.urls().stream().map(Object::toString).toList());
        answer.put("revision", client.lastRevision());
        if (contacts != null) {
            Map<String, Object> recent = new LinkedHashMap<>();
            recent.put("consecutiveFailures", contacts.consecutiveFailures());
            recent.put("lastSuccessMillis", contacts.lastSuccessMillis());
            recent.put("lastFailure", contacts.lastFailure());
            answer.put("contacts", recent);
        }
        contributors.forEach(contributor -> answer.put(contributor.name(), contributor.details()));
        return answer;
    }
}
