package io.suitesync.hub.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plain decisions behind the console's admin calls: literal search, stream figures, the tail's type filter. */
class ConsoleHelpersTest {

    @Test
    void searchTextIsMatchedLiterally() {
        assertThat(TenantMatrix.likeEscaped("100% _x_")).isEqualTo("100\\% \\_x\\_");
        assertThat(TenantMatrix.likeEscaped("a\\b")).isEqualTo("a\\\\b");
        assertThat(TenantMatrix.likeEscaped("acme")).isEqualTo("acme");
    }

    @Test
    void anEntryIdsTimeIsItsMillisecondPart() {
        assertThat(TenantMatrix.idTime("1796198422429-9")).isEqualTo("2026-12-02T08:00:22.429Z");
        assertThat(TenantMatrix.idTime("0-1")).isEqualTo("1970-01-01T00:00:00Z");
    }

    @Test
    void unreadIsTheLargestLagOfTheGroups() {
        List<Object> two = List.of(
                List.of(bytes("name"), bytes("a"), bytes("lag"), 3L, bytes("pending"), 0L),
                List.of(bytes("name"), bytes("b"), bytes("lag"), 7L));
        assertThat(TenantMatrix.maxLag(two)).isEqualTo(7L);
        assertThat(TenantMatrix.maxLag(List.of())).isNull();
        assertThat(TenantMatrix.maxLag(null)).isNull();
        // a group whose lag Redis cannot tell (entries deleted in its range) answers nil: it counts as unknown
        List<Object> unknown = new ArrayList<>();
        List<Object> fields = new ArrayList<>(List.of(bytes("name"), bytes("c"), bytes("lag")));
        fields.add(null);
        unknown.add(fields);
        assertThat(TenantMatrix.maxLag(unknown)).isNull();
    }

    @Test
    void theTailFilterTakesATypeOrAFamily() {
        assertThat(StreamTail.matches(null, "credit.allocated")).isTrue();
        assertThat(StreamTail.matches("credit.allocated", "credit.allocated")).isTrue();
        assertThat(StreamTail.matches("credit.allocated", "credit.allocated.v2")).isFalse();
        assertThat(StreamTail.matches("credit.", "credit.allocated")).isTrue();
        assertThat(StreamTail.matches("credit.", "credit-config.updated")).isFalse();
        assertThat(StreamTail.matches("credit", "credit.allocated")).isFalse();
        assertThat(StreamTail.matches("credit.", null)).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
