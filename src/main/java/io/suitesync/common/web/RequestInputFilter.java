package io.suitesync.common.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks what every HTTP request carries before any route sees it, so malformed input is a 400 in the
 * one error format instead of a failure deep inside (PostgreSQL refuses NUL characters; Tomcat's body
 * reader throws on bad UTF-8, which Camel's REST binding turned into an empty 500):
 * <ul>
 *   <li>query parameters: valid percent-encoding of UTF-8, no control characters (e.g. {@code %00});</li>
 *   <li>a JSON body: valid in its charset (UTF-8 unless the Content-Type names another);</li>
 *   <li>a POST or PUT without any body and without a Content-Type is an empty JSON body, so the
 *       endpoints whose body is optional take their defaults and the others name the missing field.</li>
 * </ul>
 * Runs after the authentication filters (order 0), so an unauthenticated body is never read here.
 */
@Component
public class RequestInputFilter extends OncePerRequestFilter implements Ordered {

    private final ObjectMapper mapper;

    public RequestInputFilter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public int getOrder() {
        return 0;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String problem = queryProblem(request.getQueryString());
        if (problem != null) {
            reject(response, problem);
            return;
        }
        HttpServletRequest checked = request;
        String method = request.getMethod();
        boolean mayHaveBody = "POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method);
        if (mayHaveBody && request.getContentType() == null && request.getContentLengthLong() <= 0
                && request.getHeader("Transfer-Encoding") == null) {
            checked = new CheckedBody(request, new byte[0], MediaType.APPLICATION_JSON_VALUE);
        } else if (mayHaveBody && isJson(request.getContentType())) {
            byte[] body = request.getInputStream().readAllBytes();
            problem = bodyProblem(body, request.getCharacterEncoding());
            if (problem != null) {
                reject(response, problem);
                return;
            }
            checked = new CheckedBody(request, body, request.getContentType());
        }
        chain.doFilter(checked, response);
    }

    /** Why the raw query string is refused, or null: each name and value must decode to UTF-8 without control characters. */
    static String queryProblem(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decodeQueryPart(rawName);
            String shownName = name == null || hasControl(name) ? printable(rawName) : name;
            if (name == null) {
                return "query parameter '" + shownName + "' is not valid percent-encoded UTF-8";
            }
            String value = eq < 0 ? "" : decodeQueryPart(pair.substring(eq + 1));
            if (value == null) {
                return "query parameter '" + shownName + "' has a value that is not valid percent-encoded UTF-8";
            }
            if (hasControl(name) || hasControl(value)) {
                return "query parameter '" + shownName + "' contains a control character (such as %00)";
            }
        }
        return null;
    }

    /** Why a JSON body is refused, or null. */
    static String bodyProblem(byte[] body, String charsetName) {
        Charset charset;
        try {
            charset = charsetName == null ? StandardCharsets.UTF_8 : Charset.forName(charsetName);
        } catch (IllegalArgumentException e) {
            return "request body: unsupported charset '" + printable(charsetName) + "'";
        }
        try {
            charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return null;
        } catch (CharacterCodingException e) {
            return "request body is not valid " + charset.name() + " text";
        }
    }

    /** application/x-www-form-urlencoded decoding with strict UTF-8; null if malformed. */
    private static String decodeQueryPart(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    private static String printable(String s) {
        String shown = s.chars().mapToObj(c -> c < 0x20 || c == 0x7f ? "?" : String.valueOf((char) c))
                .reduce("", String::concat);
        return shown.length() > 100 ? shown.substring(0, 100) + "…" : shown;
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    private void reject(HttpServletResponse response, String message) throws IOException {
        response.setStatus(400);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), ApiErrors.body(400, message));
    }

    /** The request with its body already read (and checked), served again from memory. */
    private static final class CheckedBody extends HttpServletRequestWrapper {

        private final byte[] body;
        private final String contentType;

        CheckedBody(HttpServletRequest request, byte[] body, String contentType) {
            super(request);
            this.body = body;
            this.contentType = contentType;
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public String getHeader(String name) {
            if ("Content-Length".equalsIgnoreCase(name)) {
                return String.valueOf(body.length);
            }
            return "Content-Type".equalsIgnoreCase(name) ? contentType : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String replaced = "Content-Type".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name) ? getHeader(name) : null;
            return replaced != null ? Collections.enumeration(List.of(replaced)) : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new ArrayList<>(Collections.list(super.getHeaderNames()));
            for (String replaced : List.of("Content-Type", "Content-Length")) {
                if (names.stream().noneMatch(replaced::equalsIgnoreCase)) {
                    names.add(replaced);
                }
            }
            return Collections.enumeration(names);
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ByteArrayServletInputStream(body);
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }
    }
}
