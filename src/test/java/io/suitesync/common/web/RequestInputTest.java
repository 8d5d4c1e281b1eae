package io.suitesync.common.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.suitesync.hub.admin.ToggleRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request checks that run before any route: query strings, JSON bodies, path parameters, JSON error messages. */
class RequestInputTest {

    @Test
    void aQueryWithNulOrBadEncodingIsRefusedNamingTheParameter() {
        assertThat(RequestInputFilter.queryProblem(null)).isNull();
        assertThat(RequestInputFilter.queryProblem("tenantId=acme&limit=10&flag")).isNull();
        assertThat(RequestInputFilter.queryProblem("tenantId=%C3%BC-t+1")).isNull();
        assertThat(RequestInputFilter.queryProblem("tenantId=a%00b")).contains("'tenantId'").contains("control character");
        assertThat(RequestInputFilter.queryProblem("tenantId=%zz")).contains("'tenantId'").contains("percent-encoded");
        assertThat(RequestInputFilter.queryProblem("tenantId=%C3%28")).contains("'tenantId'");
        assertThat(RequestInputFilter.queryProblem("tenantId=%C3")).contains("'tenantId'");
        assertThat(RequestInputFilter.queryProblem("a%00b=1")).contains("'a%00b'");
    }

    @Test
    void aJsonBodyMustBeTextInItsCharset() {
        assertThat(RequestInputFilter.bodyProblem("{\"x\":\"ü\"}".getBytes(StandardCharsets.UTF_8), null)).isNull();
        assertThat(RequestInputFilter.bodyProblem(new byte[] {'"', (byte) 0xFF, '"'}, null)).contains("not valid UTF-8");
        assertThat(RequestInputFilter.bodyProblem(new byte[] {'"', (byte) 0xC3, '(', '"'}, "UTF-8")).contains("not valid UTF-8");
        assertThat(RequestInputFilter.bodyProblem(new byte[] {'"', (byte) 0xFC, '"'}, "ISO-8859-1")).isNull();
        assertThat(RequestInputFilter.bodyProblem(new byte[] {'{', '}'}, "no-such-charset")).contains("unsupported charset");
    }

    @Test
    void pathParametersArePercentDecodedAsUtf8() {
        assertThat(PathParams.decode("orgId", "x%20y")).isEqualTo("x y");
        assertThat(PathParams.decode("orgId", "%C3%BC-tenant")).isEqualTo("ü-tenant");
        assertThat(PathParams.decode("orgId", "a+b")).isEqualTo("a+b");
        assertThat(PathParams.decode("orgId", "plain")).isEqualTo("plain");
        for (String bad : new String[] {"a%zz", "%C3%28", "a%00b"}) {
            assertThatThrownBy(() -> PathParams.decode("orgId", bad)).isInstanceOf(ApiException.class)
                    .hasMessageContaining("'orgId'").satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
        }
    }

    @Test
    void jsonErrorsNameTheFieldAndNeverAJavaType() {
        ObjectMapper mapper = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        String[][] cases = {
                {"[]", "the request body must be a JSON object"},
                {"\"x\"", "the request body must be a JSON object"},
                {"{\"isEnabled\": \"maybe\"}", "invalid value for field 'isEnabled'"},
                {"{\"isEnabled\": {}}", "invalid value for field 'isEnabled': expected boolean (true or false)"},
                {"{\"isEnabled\": true, \"zzz\": 1}", "unknown field 'zzz'"},
                {"{\"isEnabled\": tru", "malformed JSON"}};
        for (String[] c : cases) {
            assertThatThrownBy(() -> mapper.readValue(c[0], ToggleRequest.class))
                    .isInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class)
                    .satisfies(e -> assertThat(ApiErrors.jsonMessage((com.fasterxml.jackson.core.JsonProcessingException) e))
                            .as(c[0]).startsWith(c[1]).doesNotContain("io.suitesync").doesNotContain("java."));
        }
    }

    @Test
    void aServerErrorNeverCarriesItsCause() {
        ApiError error = ApiErrors.body(500, "PreparedStatementCallback; SQL [SELECT ...]; ERROR: invalid byte sequence");
        assertThat(error.message()).isEqualTo("internal error (logged on the server)");
        assertThat(error.error()).isEqualTo("Internal Server Error");
        assertThat(ApiErrors.body(415, null).message()).isEqualTo("Unsupported Media Type");
        assertThat(ApiErrors.body(404, "organization 'x' not found").message()).isEqualTo("organization 'x' not found");
    }
}
