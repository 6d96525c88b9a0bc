package io.muster.springconfig;

import io.muster.core.Role;
import io.muster.replication.Consistency;
import io.muster.replication.Replica;
import io.muster.security.RequiresRole;
import io.muster.web.MusterHeaders;
import io.muster.web.ProblemException;
import io.muster.web.ProblemType;
import io.muster.web.Problems;
import io.muster.web.RequestParameters;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /config}: the Spring Cloud Config Server protocol over configuration documents, so that an
 * application with {@code spring-cloud-starter-config} and
 * {@code spring.config.import=configserver:http://muster:8080/config} gets its configuration from
 * Muster unchanged. Answers come from this node's applied state by default, so a follower, and a node
 * cut off from the majority, answer at once (the latter says so in {@code X-Muster-Leaderless}).
 *
 * <p>Stock clients cannot send a bearer token everywhere, so these paths also accept
 * {@code X-Config-Token} and Basic credentials whose password is a token secret
 * ({@code security.TokenFilter}).
 */
@RestController
@RequiresRole(value = Role.READER, keyScoped = true)
@Tag(name = "spring-config", description = "Spring Cloud Config Server protocol over configuration documents")
class EnvironmentController {

    private static final String FILE = ".+\\.(?:yml|yaml|properties|json)";
    private static final String NOT_FILE = "(?!.+\\.(?:yml|yaml|properties|json)$).+";
    private static final MediaType TEXT = new MediaType("text", "plain", java.nio.charset.StandardCharsets.UTF_8);

    private final Environments environments;
    private final Replica replica;
    private final List<String> labels;
    private final Consistency defaultConsistency;

    EnvironmentController(Environments environments, Replica replica, SpringConfigProperties properties) {
        this.environments = environments;
        this.replica = replica;
        this.labels = properties.labels();
        this.defaultConsistency = RequestParameters.consistency(properties.consistency());
    }

    @GetMapping("/config/{name}/{profiles:" + NOT_FILE + "}")
    @Operation(summary = "An application's environment (Spring Cloud Config Server)", description = """
            The Environment JSON a Config Server client expects: name, profiles, label, version, state and \
            propertySources, highest precedence first: for each profile (the last one first) the documents \
            config/{name}/{profile} of each name (the last one first) and of 'application', then the base \
            documents config/{name}/default and config/application/default. Every candidate is listed, \
            empty when it has no document, so a refresh never keeps a deleted document's values. name and \
            profiles are comma lists; the profile 'default' selects the base documents only. version is a \
            digest of what is served: equal on every node, and different exactly when the answer is. The \
            token must be allowed to read every candidate document (403 names the first it may not). Answers \
            with Content-Type application/json whatever Accept asks for (the Config Server media types \
            included). A document in gray (a release's gray rule, /v1/releases) is served as the release has \
            it to a caller the rule matches: the caller is the instance named by X-Muster-Instance, or else \
            the instance of these applications registered at the request's address, and its labels are that \
            instance's metadata, zone and tags (tag.<tag>=true) overlaid by X-Muster-Labels (k=v,..., at most \
            16).""")
    @ApiResponse(responseCode = "200", description = "The environment",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = EnvironmentDocument.class)))
    @Problems({ProblemType.CONFIG_DOCUMENT_UNREADABLE})
    ResponseEntity<byte[]> environment(@PathVariable String name, @PathVariable String profiles,
            @Parameter(description = "stale (default, muster.springconfig.consistency) or linearizable")
            @RequestParam(required = false) String consistency) {
        return answer(EnvironmentQuery.of(name, profiles), null, Environments.View.ENVIRONMENT, consistency);
    }

    @GetMapping("/config/{name}/{profiles}/{label}")
    @Operation(summary = "An application's environment under a label", description = """
            As without a label. The labels in muster.springconfig.labels (default: main) name the current \
            configuration; '(_)' stands for '/'. Any other label is 404 label-not-found, so a client's \
            label list (spring.cloud.config.label=x,main) falls back to the next.""")
    @ApiResponse(responseCode = "200", description = "The environment",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = EnvironmentDocument.class)))
    @Problems({ProblemType.LABEL_NOT_FOUND, ProblemType.CONFIG_DOCUMENT_UNREADABLE})
    ResponseEntity<byte[]> labelled(@PathVariable String name, @PathVariable String profiles, @PathVariable String label,
            @RequestParam(required = false) String consistency) {
        return answer(EnvironmentQuery.of(name, profiles), checkedLabel(labels, label), Environments.View.ENVIRONMENT, consistency);
    }

    @GetMapping("/config/{file:" + FILE + "}")
    @Operation(summary = "An application's merged configuration as one file", description = """
            {name}-{profiles}.yml (or .yaml), .properties or .json: the environment's sources merged, a higher \
            source's value winning; .yml and .json nested, .properties as sorted 'key: value' lines. The name \
            ends at the last '-' (a name without '-' means the profile default), so profiles cannot contain \
            '-' here; use /config/{name}/{profiles} for those.""")
    @ApiResponse(responseCode = "200", description = "The merged configuration",
            content = {@Content(mediaType = "text/plain"), @Content(mediaType = "application/json")})
    @Problems({ProblemType.CONFIG_DOCUMENT_UNREADABLE})
    ResponseEntity<byte[]> file(@PathVariable String file, @RequestParam(required = false) String consistency) {
        return merged(file, null, consistency);
    }

    @GetMapping("/config/{label}/{file:" + FILE + "}")
    @Operation(summary = "An application's merged configuration as one file, under a label",
            description = "As without a label; the label as for the environment.")
    @ApiResponse(responseCode = "200", description = "The merged configuration",
            content = {@Content(mediaType = "text/plain"), @Content(mediaType = "application/json")})
    @Problems({ProblemType.LABEL_NOT_FOUND, ProblemType.CONFIG_DOCUMENT_UNREADABLE})
    ResponseEntity<byte[]> labelledFile(@PathVariable String label, @PathVariable String file,
            @RequestParam(required = false) String consistency) {
        return merged(file, checkedLabel(labels, label), consistency);
    }

    private ResponseEntity<byte[]> merged(String file, String label, String consistency) {
        int dot = file.lastIndexOf('.');
        String extension = file.substring(dot + 1).toLowerCase(Locale.ROOT);
        String stem = file.substring(0, dot);
        int dash = stem.lastIndexOf('-');
        String name = dash < 0 ? stem : stem.substring(0, dash);
        String profiles = dash < 0 ? ConfigDocuments.BASE_PROFILE : stem.substring(dash + 1);
        Environments.View view = switch (extension) {
            case "properties" -> Environments.View.PROPERTIES;
            case "json" -> Environments.View.JSON;
            default -> Environments.View.YAML;
        };
        return answer(EnvironmentQuery.of(name, profiles), label, view, consistency);
    }

    private ResponseEntity<byte[]> answer(EnvironmentQuery query, String label, Environments.View view, String consistency) {
        Consistency checked = consistency == null ? defaultConsistency : RequestParameters.consistency(consistency);
        Environments.Answer answer = environments.answer(query, label, view, checked, GrayCaller.of(currentRequest()));
        ResponseEntity.BodyBuilder response = ResponseEntity.ok()
                .contentType(view == Environments.View.ENVIRONMENT || view == Environments.View.JSON
                        ? MediaType.APPLICATION_JSON : TEXT)
                .header(MusterHeaders.REVISION, Long.toString(answer.revision()))
                .header(MusterHeaders.CONFIG_VERSION, answer.version());
        if (checked == Consistency.STALE) {
            replica.leaderless().ifPresent(leaderless -> response.header(MusterHeaders.LEADERLESS, leaderless.describe()));
        }
        return response.body(answer.body());
    }

    static jakarta.servlet.http.HttpServletRequest currentRequest() {
        return ((org.springframework.web.context.request.ServletRequestAttributes)
                org.springframework.web.context.request.RequestContextHolder.currentRequestAttributes()).getRequest();
    }

    /**
     * The label a request names, '(_)' read as '/'; a comma list (a client with send-all-labels) names
     * its first label that Muster serves. One that names no current configuration is 404.
     */
    static String checkedLabel(List<String> labels, String label) {
        String decoded = label.replace("(_)", "/");
        for (String candidate : decoded.split(",")) {
            if (labels.contains(candidate.trim())) {
                return candidate.trim();
            }
        }
        throw new ProblemException(ProblemType.LABEL_NOT_FOUND, "no configuration under label '" + decoded
                + "': Muster serves the current documents, under " + labels).with("label", decoded);
    }

    /** The Environment JSON's shape, for the API description. */
    @Schema(name = "ConfigEnvironment")
    record EnvironmentDocument(String name, List<String> profiles, String label, String version, String state,
            List<PropertySourceDocument> propertySources) {
    }

    /** One property source: its name and its properties (flat names, as a local file would give them). */
    @Schema(name = "ConfigPropertySource")
    record PropertySourceDocument(String name, java.util.Map<String, Object> source) {
    }
}
