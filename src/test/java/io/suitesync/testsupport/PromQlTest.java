package io.suitesync.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void metricsOfARatioWithGroupingLabelsAndVariables() {
        assertThat(PromQl.metricNames("sum by (tier) (rate(suitesync_agent_cache_requests_total{result=\"hit\",instance=~\"$instance\"}"
                + "[$__rate_interval])) / sum by (tier) (rate(other_total{instance=~\"$instance\"}[5m]))"))
                .containsExactly("suitesync_agent_cache_requests_total", "other_total");
    }

    @Test
    void groupingAfterTheAggregationAndKeywordsAreNoMetrics() {
        assertThat(PromQl.metricNames("sum(rate(a_total[1m])) by (routeId) > 0 and on (instance) b unless c offset 5m"))
                .containsExactly("a_total", "b", "c");
    }

    @Test
    void labelValuesQueryReadsItsFirstArgumentOnly() {
        assertThat(PromQl.metricNames("label_values(process_uptime_seconds{application=\"suitesync\"}, instance)"))
                .containsExactly("process_uptime_seconds");
    }

    @Test
    void stringsAndNumbersAreNoMetrics() {
        assertThat(PromQl.metricNames("max by (quantile) (x_seconds{quantile=~\"0.5|0.99\"}) * 1e3 + 2"))
                .containsExactly("x_seconds");
    }
}
