package io.muster.replication;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The one place where the followers of the applied state are wired to the state machine: every
 * {@link AppliedChanges} bean, in Spring's order for the list ({@code @Order}, then registration), is
 * subscribed when the context is built, before the node starts in its lifecycle phase and applies its
 * first entry. Followers never subscribe themselves, so this list (logged at start) is who hears apply.
 */
@Component
class Subscribers {

    private static final Logger log = LoggerFactory.getLogger(Subscribers.class);

    Subscribers(ReplicatedState state, List<AppliedChanges> followers) {
        followers.forEach(state::subscribe);
        log.info("apply is followed by {}", followers.stream().map(follower -> follower.getClass().getSimpleName())
                .toList());
    }
}
