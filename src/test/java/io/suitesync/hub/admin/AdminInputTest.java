package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.suitesync.common.web.ApiException;
import io.suitesync.common.web.RequestParams;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AdminInputTest {

    @Test
    void sinceDateAcceptsIsoDatesAndDateTimes() {
        assertThat(ApplicationAdmin.parseSince("2024-01-01")).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(ApplicationAdmin.parseSince("2024-01-01T10:00:00Z")).isEqualTo(Instant.parse("2024-01-01T10:00:00Z"));
        assertThat(ApplicationAdmin.parseSince("2024-01-01T10:00:00+02:00")).isEqualTo(Instant.parse("2024-01-01T08:00:00Z"));
        assertThat(ApplicationAdmin.parseSince(null)).isNull();
        assertThat(ApplicationAdmin.parseSince(" ")).isNull();
    }

    @Test
    void anUnreadableSinceDateIsABadRequestNamingTheField() {
        for (String bad : new String[] {"yesterday", "2024-13-01", "01/02/2024", "2024-01-01T25:00:00Z"}) {
            assertThatThrownBy(() -> ApplicationAdmin.parseSince(bad)).isInstanceOf(ApiException.class)
                    .hasMessageContaining("'sinceDate'").hasMessageContaining(bad)
                    .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void aSinceDateBefore1970OrInTheFutureIsOutOfRange() {
        assertThat(ApplicationAdmin.parseSince("1970-01-01")).isEqualTo(Instant.EPOCH);
        for (String bad : new String[] {"0001-01-01", "1969-12-31T23:59:59Z", "-999999999-01-01", "+999999999-12-31T23:59:59Z",
                Instant.now().plusSeconds(3600).toString()}) {
            assertThatThrownBy(() -> ApplicationAdmin.parseSince(bad)).isInstanceOf(ApiException.class)
                    .hasMessageContaining("'sinceDate'").hasMessageContaining("out of range");
        }
    }

    @Test
    void integerQueryParametersHaveDefaultsAndBounds() {
        assertThat(RequestParams.intParam("count", null, 10, 1, 1000)).isEqualTo(10);
        assertThat(RequestParams.intParam("count", "25", 10, 1, 1000)).isEqualTo(25);
        for (String bad : new String[] {"0", "1001", "ten", "-3"}) {
            assertThatThrownBy(() -> RequestParams.intParam("count", bad, 10, 1, 1000)).isInstanceOf(ApiException.class)
                    .hasMessageContaining("'count'");
        }
    }
}
