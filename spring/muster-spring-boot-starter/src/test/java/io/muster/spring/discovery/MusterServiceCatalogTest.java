package io.muster.spring.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watch URL stays short: 256 services with realistic names are split over streams whose path and
 * query each stay within 4 KB (Tomcat answers 400 past its 8 KB request line) and 256 services, every
 * service in exactly one stream, in order.
 */
class MusterServiceCatalogTest {

    @Test
    void twoHundredFiftySixLongNamesAreSplitIntoShortWatchUrls() {
        List<String> services = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            services.add(String.format("payments-settlement-reconciliation-worker-%03d", i)); // 45 characters
        }
        assertThat(MusterServiceCatalog.watchQuery(services, Long.MAX_VALUE).length()).as("one URL for all")
                .isGreaterThan(8192);

        List<List<String>> groups = MusterServiceCatalog.groups(services, MusterServiceCatalog.MAX_WATCH_QUERY_CHARS,
                MusterServiceCatalog.MAX_WATCH_SERVICES);

        assertThat(groups).hasSizeGreaterThan(1);
        for (List<String> group : groups) {
            assertThat(MusterServiceCatalog.watchQuery(group, Long.MAX_VALUE).length()).isLessThanOrEqualTo(4096);
            assertThat(group).hasSizeLessThanOrEqualTo(256);
        }
        assertThat(groups.stream().flatMap(List::stream).toList()).isEqualTo(services);
    }

    @Test
    void shortNamesStayInOneStreamUpToTheServiceBound() {
        List<String> services = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            services.add("s" + i);
        }
        List<List<String>> groups = MusterServiceCatalog.groups(services, 1 << 20, 256);
        assertThat(groups).extracting(List::size).containsExactly(256, 44);
        assertThat(MusterServiceCatalog.groups(List.of("a", "b"), 4096, 256)).containsExactly(List.of("a", "b"));
    }
}
