package io.suitesync.testsupport;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric names a PromQL expression (or a Grafana {@code label_values(...)} query) reads. */
public final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private PromQl() {}

    public static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher labelValues = LABEL_VALUES.matcher(expr);
        if (labelValues.find()) {
            names.add(labelValues.group(1));
            return names;
        }
        String bare = STRING.matcher(expr).replaceAll("\"\"")
                .replaceAll("\\{[^}]*}", " ")      // label matchers
                .replaceAll("\\[[^]]*]", " ");      // range selectors ([5m], [$__rate_interval])
        bare = GROUPING.matcher(bare).replaceAll(" ");
        Matcher token = IDENTIFIER.matcher(bare);
        while (token.find()) {
            String word = token.group().replaceAll("[\\s(]", "");
            boolean function = token.group(1) != null;
            boolean afterDigit = token.start() > 0 && Character.isDigit(bare.charAt(token.start() - 1));
            if (!function && !afterDigit && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}
