package io.muster.cluster;

import io.muster.core.Role;
import io.muster.security.RequiresRole;
import io.muster.replication.StateDigest;
import io.muster.replication.NodeStatus;
import io.muster.core.ClusterVersion;
import io.muster.replication.MemberVersions;
import io.muster.replication.Replica;
import io.muster.replication.ReplicatedState;
import io.muster.view.View;
import io.muster.web.ProblemException;
import java.util.Map;
import java.util.TreeMap;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code /v1/cluster}: the Raft group as this node sees it, and changes to who is in it. */
@RestController
@Tag(name = "cluster", description = "The Raft group: members, leadership, snapshots")
class ClusterController {

    private static final String MEMBER_ID = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";

    private final Replica node;
    private final ReplicatedState state;
    private final Membership membership;
    private final View view;
    private final MemberVersions memberVersions;
    private final ClusterWatches watches;

    ClusterController(Replica node, ReplicatedState state, Membership membership, View view,
            MemberVersions memberVersions, ClusterWatches watches) {
        this.memberVersions = memberVersions;
        this.watches = watches;
        this.node = node;
        this.state = state;
        this.membership = membership;
        this.view = view;
    }

    // Cluster status is no key data: a token confined to key prefixes may read it (keyScoped, no key to check).
    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/cluster")
    @Operation(summary = "This node's view of the cluster",
            description = """
                    This node's role, term, leader, commit and applied index, and every member of the current \
                    configuration with its role and whether it votes. On the leader each member also carries its \
                    match index, its lag behind the leader's log and the milliseconds since it last answered. Any \
                    reader may read it, one confined to key prefixes too: it holds no key data.""")
    NodeStatus cluster() {
        return node.status();
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping(path = "/v1/cluster/watch", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Watch this node's status",
            description = """
                    A Server-Sent-Event stream of 'status' messages {node, quorum}: node is what GET /v1/cluster \
                    answers, quorum {status: UP, DOWN or OUT_OF_SERVICE, reason} the judgement of the raft health \
                    component. One at once, then one every second, and one within 250 ms of a change of this node's \
                    role, leader, term or quorum status (SSE id: the applied index it reflects; Last-Event-ID is \
                    ignored). Unlike the change streams it goes on while this node hears from no leader, to say so. \
                    'progress', SSE comments every muster.watch.heartbeat-interval, 'closed' when the node stops, and a \
                    final 'revoked' problem when the token is revoked. Counts against muster.watch.max-watchers and \
                    muster.security.max-watches-per-token like /v1/watch.""")
    @ApiResponse(responseCode = "200", description = "The stream", content = @Content(mediaType = "text/event-stream",
            schema = @Schema(implementation = ClusterWatches.StatusMessage.class)))
    @Problems({ProblemType.RATE_LIMITED, ProblemType.TOO_MANY_WATCHES})
    SseEmitter watch() {
        return watches.open();
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/cluster/members/{id}")
    @Operation(summary = "One member", description = "404 member-not-found when no member has this id.")
    @Problems(ProblemType.MEMBER_NOT_FOUND)
    NodeStatus.Member member(@PathVariable String id) {
        return node.status().members().stream().filter(member -> member.id().equals(id)).findFirst()
                .orElseThrow(() -> new ProblemException(ProblemType.MEMBER_NOT_FOUND,
                        "no member has id '" + id + "'"));
    }

    @RequiresRole(Role.ADMIN)
    @PostMapping("/v1/cluster/members")
    @Operation(summary = "Add a member",
            description = """
                    Adds a node started with muster.join=true. A voter is added first as a listener (it receives \
                    the log but neither votes nor counts towards commit) and is promoted automatically once it trails \
                    the leader by at most muster.membership.promotion-lag entries: 202, follow its 'promoting' flag \
                    at the Location. voting=false keeps it a read replica: 201. One change at a time (409 \
                    change-in-progress); an id or address already present is 409 member-exists; a node whose build \
                    says it does not support the cluster's version is 409 member-too-old.""")
    @ApiResponse(responseCode = "201", description = "Added as a listener (voting=false)")
    @ApiResponse(responseCode = "202", description = "Added as a listener, to be promoted to voter once caught up")
    @Problems({ProblemType.MEMBER_EXISTS, ProblemType.MEMBER_TOO_OLD, ProblemType.CHANGE_IN_PROGRESS,
            ProblemType.UNAVAILABLE, ProblemType.CHANGE_OUTCOME_UNKNOWN})
    ResponseEntity<NodeStatus.Member> add(@Valid @RequestBody AddMember request) {
        boolean voting = request.voting() == null || request.voting();
        NodeStatus.Member added = membership.add(request.id(), request.address(), voting);
        return ResponseEntity.status(voting ? HttpStatus.ACCEPTED : HttpStatus.CREATED)
                .location(URI.create("/v1/cluster/members/" + added.id())).body(added);
    }

    @RequiresRole(Role.ADMIN)
    @DeleteMapping("/v1/cluster/members/{id}")
    @Operation(summary = "Remove a member",
            description = """
                    Removes a voter, a listener, or a voter-to-be still catching up (which cancels its addition). \
                    409 quorum-at-risk when fewer voters than a quorum of the current configuration would remain, or \
                    (judged on the leader) fewer reachable voters than the new configuration needs. The removed node \
                    stops serving and reports itself removed in its health.""")
    @ApiResponse(responseCode = "204", description = "Removed")
    @Problems({ProblemType.MEMBER_NOT_FOUND, ProblemType.CHANGE_IN_PROGRESS, ProblemType.QUORUM_AT_RISK,
            ProblemType.UNAVAILABLE, ProblemType.CHANGE_OUTCOME_UNKNOWN})
    ResponseEntity<Void> remove(@PathVariable String id) {
        membership.remove(id);
        return ResponseEntity.noContent().build();
    }

    @RequiresRole(Role.ADMIN)
    @PostMapping("/v1/cluster/leader")
    @Operation(summary = "Transfer leadership",
            description = "Makes the voter {id} the leader and answers once it leads. 409 not-a-voter for a listener.")
    @Problems({ProblemType.MEMBER_NOT_FOUND, ProblemType.NOT_A_VOTER, ProblemType.UNAVAILABLE})
    NodeStatus transferLeadership(@Valid @RequestBody TransferLeadership request) {
        membership.transferLeadership(request.id());
        return node.status();
    }

    @RequiresRole(Role.ADMIN)
    @PostMapping("/v1/cluster/snapshot")
    @Operation(summary = "Snapshot this node now",
            description = """
                    Takes a snapshot of this node's state (each node snapshots its own) unless the latest already \
                    covers every applied entry, and answers the snapshot's index.""")
    Snapshot snapshot() {
        return new Snapshot(membership.snapshot());
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/cluster/digest")
    @Operation(summary = "Digests of this node's state and of its H2 view",
            description = """
                    sha256: SHA-256 of the applied state's encoding; contentSha256: of its entries alone; both at \
                    'revision'. Two nodes at the same revision must answer the same digests, and the view at the same \
                    revision the same contentSha256; anything else is divergence.""")
    Digests digest() {
        StateDigest digest = state.digest();
        return new Digests(digest.revision(), digest.sha256(), digest.contentSha256(), view.digest());
    }

    @RequiresRole(value = Role.READER, keyScoped = true)
    @GetMapping("/v1/cluster/version")
    @Operation(summary = "The cluster version and what each member supports",
            description = """
                    clusterVersion: the feature level the cluster runs at (it rises by itself once every member \
                    supports a higher one, and never falls); supported: this node's build's highest level; members: \
                    each member's supported level at this node's last survey (null: it did not answer; the survey \
                    stops once the cluster runs at this build's level).""")
    VersionView version() {
        Map<String, Integer> members = new TreeMap<>();
        memberVersions.lastSurvey().forEach((member, level) -> members.put(member,
                level.isPresent() ? level.getAsInt() : null));
        return new VersionView(state.clusterVersion(), ClusterVersion.SUPPORTED, members);
    }

    /** The cluster's feature level, this build's, and the members' at the last survey. */
    record VersionView(int clusterVersion, int supported, Map<String, Integer> members) {
    }

    /** The state's digests at {@code revision}, and the view's at the revision it reflects. */
    record Digests(long revision, String sha256, String contentSha256, View.Digest view) {
    }

    /** A node to add. */
    record AddMember(
            @Schema(description = "The new node's muster.node-id", example = "n4")
            @NotNull @Pattern(regexp = MEMBER_ID, message = "must be 1-63 of [A-Za-z0-9._-], starting alphanumeric")
            String id,
            @Schema(description = "Its Raft address, host:port (its muster.raft.port)", example = "10.0.0.4:7070")
            @NotBlank String address,
            @Schema(description = "Whether it becomes a voter (default) or stays a non-voting read replica")
            Boolean voting) {
    }

    /** The voter that should lead. */
    record TransferLeadership(@Schema(example = "n2") @NotNull String id) {
    }

    /** The index of the snapshot that now covers this node's state. */
    record Snapshot(long index) {
    }
}
