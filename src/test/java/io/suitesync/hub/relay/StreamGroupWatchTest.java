package io.suitesync.hub.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
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
}
