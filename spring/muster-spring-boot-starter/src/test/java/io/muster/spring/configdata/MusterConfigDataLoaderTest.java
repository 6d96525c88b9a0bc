package io.muster.spring.configdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.spring.client.InstanceIdentity;
import io.muster.spring.client.MusterClientProperties;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.core.env.PropertySource;
import tools.jackson.databind.json.JsonMapper;

/** What the loader makes of an environment answer: sources, their order, and which are profile-specific. */
class MusterConfigDataLoaderTest {

    private static final String ANSWER = """
            {"name":"orders-eu","profiles":["eu"],"version":"0123456789abcdef","revision":12,"releases":[7],
             "propertySources":[
               {"name":"muster:orders-eu-eu","profile":"eu","release":7,"source":{"a":1,"b":true}},
               {"name":"muster:application-eu","profile":"eu","source":{}},
               {"name":"muster:orders-eu","profile":"default","source":{"a":"base","c":null}},
               {"name":"muster:application","profile":"default","source":{}}]}""";

    private final MusterConfigDataResource resource = new MusterConfigDataResource("orders-eu", List.of("eu"), null,
            List.of(URI.create("http://127.0.0.1:8080")), new InstanceIdentity("pod-1", Map.of("track", "canary")),
            new MusterClientProperties(), false);

    @Test
    void profileSourcesAreMarkedByTheProfileThatSelectedThemNotByTheirName() {
        EnvironmentSnapshot snapshot = EnvironmentSnapshot.parse(JsonMapper.builder().build().readTree(ANSWER));
        ConfigData data = MusterConfigDataLoader.configData(snapshot, resource);
        List<PropertySource<?>> sources = data.getPropertySources();
        assertThat(sources).as("ascending precedence").extracting(PropertySource::getName).containsExactly(
                "muster:application", "muster:orders-eu", "muster:application-eu", "muster:orders-eu-eu",
                MusterConfigDataLoader.CLIENT_SOURCE);
        assertThat(data.getOptions(sources.get(3)).contains(ConfigData.Option.PROFILE_SPECIFIC)).isTrue();
        assertThat(data.getOptions(sources.get(2)).contains(ConfigData.Option.PROFILE_SPECIFIC))
                .as("an empty candidate is a source too, so a refresh drops a deleted document").isTrue();
        assertThat(data.getOptions(sources.get(1)).contains(ConfigData.Option.PROFILE_SPECIFIC))
                .as("orders-eu is an application name, not profile eu").isFalse();
        assertThat(data.getOptions(sources.get(1)).contains(ConfigData.Option.IGNORE_IMPORTS)).isTrue();
        assertThat(sources.get(3).getProperty("a")).isEqualTo(1);
        assertThat(sources.get(3).getProperty("b")).isEqualTo(true);
        assertThat(sources.get(1).getProperty("c")).isEqualTo("");
        PropertySource<?> loaded = sources.get(4);
        assertThat(loaded.getProperty(MusterConfigDataLoader.VERSION_PROPERTY)).isEqualTo("0123456789abcdef");
        assertThat(loaded.getProperty(MusterConfigDataLoader.REVISION_PROPERTY)).isEqualTo(12L);
        assertThat(loaded.getProperty(MusterConfigDataLoader.RELEASES_PROPERTY)).isEqualTo("7");
        assertThat(loaded.getProperty(MusterConfigDataLoader.LOADED_INSTANCE)).isEqualTo("pod-1");
        assertThat(loaded.getProperty(MusterConfigDataLoader.LOADED_LABELS)).isEqualTo("track=canary");
    }

    @Test
    void thePathCarriesNamesProfilesLabelAndTheRevisionFloor() {
        assertThat(MusterConfigDataLoader.path(resource, 0)).isEqualTo("/v1/config/orders-eu/environment?profiles=eu");
        MusterConfigDataResource many = new MusterConfigDataResource("a,b", List.of("dev", "eu"), "main",
                List.of(URI.create("http://h:1")), new InstanceIdentity(null, Map.of()), new MusterClientProperties(), true);
        assertThat(MusterConfigDataLoader.path(many, 9))
                .isEqualTo("/v1/config/a,b/environment?profiles=dev%2Ceu&label=main&minRevision=9");
    }

    @Test
    void locationUrlsMustBeAbsolute() {
        assertThat(MusterConfigDataLocationResolver.urls("")).isEmpty();
        assertThat(MusterConfigDataLocationResolver.urls("http://a:1; http://b:2"))
                .containsExactly(URI.create("http://a:1"), URI.create("http://b:2"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MusterConfigDataLocationResolver.urls("a:1"))
                .hasMessageContaining("not an absolute");
    }
}
