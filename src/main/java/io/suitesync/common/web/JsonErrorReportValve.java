package io.suitesync.common.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report in the one JSON error format, for what Tomcat refuses before any filter or
 * servlet runs: an encoded slash ({@code %2F}) or NUL ({@code %00}) in the path, an invalid
 * percent-encoding, a path that is not UTF-8, a bad request line. Tomcat's own page is HTML with its
 * version; this one carries the status and a fixed message, nothing about the server.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean();
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(MAPPER.writeValueAsString(ApiErrors.body(status, message(status))));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the connection is gone or the response was committed meanwhile: nothing left to tell the client
        }
    }

    private static String message(int status) {
        return status == 400
                ? "malformed request: invalid URL encoding, an encoded '/', '\\' or NUL in the path, or a bad request line"
                : "request refused by the HTTP server";
    }
}
