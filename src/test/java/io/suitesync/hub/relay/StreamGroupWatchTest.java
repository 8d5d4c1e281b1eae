package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.XTrimArgs;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.suitesync.hub.HubProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamGroupWatchTest {

    /** XINFO STREAM figures as Redis 7.0 reports them; an empty cell is a field an older Redis leaves out. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // case,                                          length, added, first,  lastGenerated, maxDeleted, lastDelivered, missed
            "'never trimmed, group behind',                       10,    10,    '1-0',  '10-0',        '0-0',      '0-0',         false",
            "'trimmed behind the group (hub MINID/MAXLEN)',       10,    50,    '41-0', '50-0',        '0-0',      '45-0',        false",
            "'trimmed up to the group exactly',                   10,    50,    '41-0', '50-0',        '0-0',      '41-0',        false",
            "'trimmed past the group (hard bound)',               10,    50,    '41-0', '50-0',        '0-0',      '30-0',        true",
            "'group created at 0 behind a trimmed head',          10,    50,    '41-0', '50-0',        '0-0',      '0-0',         true",
            "'everything trimmed, group behind',                  0,     50,    '0-0',  '50-0',        '0-0',      '30-0',        true",
            "'everything trimmed, group caught up',               0,     50,    '0-0',  '50-0',        '0-0',      '50-0',        false",
            "'XDEL after the group',                              9,     10,    '1-0',  '10-0',        '7-0',      '5-0',         true",
            "'XDEL before the group',                             9,     10,    '1-0',  '10-0',        '3-0',      '5-0',         false",
            "'Redis 6.2 says nothing',                            10,    ,      ,       '50-0',        ,           '30-0',        false",
    })
    void missedEntriesOnlyWhenEntriesAfterTheGroupsPositionAreGone(String name, long length, Long added, String first,
                                                                    String lastGenerated, String maxDeleted,
                                                                    String lastDelivered, boolean missed) {
        Map<String, Object> info = new HashMap<>();
        info.put("length", length);
        info.put("last-generated-id", lastGenerated);
        if (added != null) {
            info.put("entries-added", added);
            info.put("recorded-first-entry-id", first);
            info.put("max-deleted-entry-id", maxDeleted);
        }
        assertThat(StreamGroupWatch.missedEntries(info, lastDelivered)).isEqualTo(missed);
    }

    private final StreamGroupWatch watch = new StreamGroupWatch(null, null, null, new HubProperties(List.of("crm"), List.of(),
            Map.of("roles", new HubProperties.Table("role", "roles", HubProperties.Tier.CRITICAL, HubProperties.Strategy.ENABLED_APPS,
                    null, null, null, null, null, null, null, null)),
            new HubProperties.Relay(100, Duration.ofSeconds(1), 3, Duration.ofSeconds(1), 100, 1000,
                    Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofDays(7), Duration.ofHours(1), 100, 10, 250, 250, 50_000), null));

    @Test
    void aStreamIsTrimmedBelowItsNewestMaxLengthEntriesAndWhatItsSlowestGroupStillNeeds() {
        // looks at 50, 120 and 260 entries added: the look at 120 is the newest one 100 entries before 260
        assertThat(trim(look(50, "50-0"), "49-0")).isNull();
        assertThat(trim(look(120, "120-0"), "119-0")).isNull();
        assertThat(trim(look(260, "260-0"), "250-0")).isEqualTo("MINID ~ 120-0");
        // a group that has not acknowledged entry 90 keeps it
        assertThat(trim(look(300, "300-0"), "90-0")).isEqualTo("MINID ~ 90-0");
    }

    @Test
    void aStreamRecreatedEmptyForgetsWhatEarlierLooksSaw() {
        trim(look(500, "500-0"), "499-0");
        trim(look(700, "700-0"), "699-0");
        assertThat(trim(look(150, "900-0"), "899-0")).isNull();
    }

    private Map<String, Object> look(long added, String lastGenerated) {
        Map<String, Object> info = new HashMap<>();
        info.put("length", added);
        info.put("entries-added", added);
        info.put("last-generated-id", lastGenerated);
        return info;
    }

    private String trim(Map<String, Object> info, String neededFrom) {
        XTrimArgs args = watch.trimArgs("crm:t:events", info, List.of(new HashMap<>(Map.of("needed-from", neededFrom))));
        if (args == null) {
            return null;
        }
        CommandArgs<String, String> command = new CommandArgs<>(StringCodec.UTF8);
        args.build(command);
        return command.toCommandString();
    }
}
