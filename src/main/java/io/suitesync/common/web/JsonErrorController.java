package io.suitesync.common.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Spring Boot's error page ({@code /error}) in the one JSON error format, for every client (no HTML
 * whitelabel page): what Spring MVC answers itself (404 for an unknown path, 405, 415 for a wrong
 * Content-Type, 406) and any servlet error. The body is written directly, so no content negotiation
 * (an {@code Accept: text/html}) can turn it into something else.
 */
@Controller
public class JsonErrorController implements ErrorController {

    private final ObjectMapper mapper;

    public JsonErrorController(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i && i >= 400 ? i : 500;
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), ApiErrors.body(status, message(request, status)));
    }

    private static String message(HttpServletRequest request, int status) {
        Object error = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        if (error == null) {
            // an exception Spring MVC resolved to a status itself (415, 405, 406) is kept here
            error = request.getAttribute(DispatcherServlet.EXCEPTION_ATTRIBUTE);
        }
        if (error instanceof ErrorResponse known && known.getBody().getDetail() != null) {
            return known.getBody().getDetail();
        }
        if (status == 404) {
            return "no endpoint " + request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) + " (see /api-doc)";
        }
        return null;
    }
}
