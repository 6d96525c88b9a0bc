package io.muster.spring.configdata;

import io.muster.spring.client.MusterHttpClient;
import io.muster.spring.client.MusterUnavailableException;
import io.muster.spring.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Uploads the application's configuration metadata once it is ready ({@code muster.client.config.upload-schema=true}):
 * every {@code META-INF/spring-configuration-metadata.json} on the class path merged into one
 * {groups, properties, hints} object, descriptions dropped (Muster keeps names, types, hints and
 * deprecations only), to {@code PUT /v1/config/{application}/schema}. Releases of the application are
 * then validated against what it really binds. A failed upload is logged; it never stops the application.
 */
public class SchemaUpload implements ApplicationListener<ApplicationReadyEvent> {

    private static final Log log = LogFactory.getLog(SchemaUpload.class);
    private static final String METADATA = "classpath*:META-INF/spring-configuration-metadata.json";

    private final MusterHttpClient client;
    private final String application;

    public SchemaUpload(MusterHttpClient client, String application) {
        this.client = client;
        this.application = application;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        try {
            ObjectNode merged = merged(event.getApplicationContext().getClassLoader());
            Response response = client.send("PUT", "/v1/config/" + MusterHttpClient.encode(application) + "/schema",
                    merged, Map.of());
            if (response.ok()) {
                log.info("Uploaded the configuration metadata of '" + application + "' to Muster ("
                        + merged.path("properties").size() + " properties)");
            } else {
                log.warn("Muster refused the configuration metadata of '" + application + "': " + response.status()
                        + " " + response.problemDetail());
            }
        } catch (IOException | MusterUnavailableException e) {
            log.warn("Could not upload the configuration metadata of '" + application + "' to Muster: " + e.getMessage());
        }
    }

    /** Every metadata file on the class path, merged, without descriptions. */
    ObjectNode merged(ClassLoader classLoader) throws IOException {
        ObjectNode merged = client.json().createObjectNode();
        Map<String, ArrayNode> sections = new LinkedHashMap<>();
        for (String section : new String[] {"groups", "properties", "hints"}) {
            sections.put(section, merged.putArray(section));
        }
        for (Resource resource : new PathMatchingResourcePatternResolver(classLoader).getResources(METADATA)) {
            JsonNode metadata;
            try (InputStream in = resource.getInputStream()) {
                metadata = client.json().readTree(in);
            }
            sections.forEach((section, into) -> metadata.path(section).forEach(item -> {
                if (item instanceof ObjectNode object) {
                    ObjectNode copy = object.deepCopy();
                    copy.remove("description");
                    copy.remove("sourceMethod");
                    into.add(copy);
                }
            }));
        }
        return merged;
    }
}
