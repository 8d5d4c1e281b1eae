package io.suitesync.common.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The first filter of every request: a declared Content-Length over
 * {@code suitesync.security.max-body-size} is refused with 413 without reading a byte, before
 * authentication and before anything parses the body. A body of unknown length (chunked) is bounded
 * after authorization by {@link ChunkedBodyLimitFilter}; nothing before it reads the body.
 */
class RequestSizeLimitFilter extends OncePerRequestFilter {

    private final long limit;

    RequestSizeLimitFilter(long limit) {
        this.limit = limit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            tooLarge(response, limit);
            return;
        }
        chain.doFilter(request, response);
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return true;
    }

    static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        // Tomcat closes the connection instead of draining a large unread body
        response.setHeader("Connection", "close");
        ApiErrors.write(response, 413, "request body larger than " + limit + " bytes (suitesync.security.max-body-size)");
    }
}
