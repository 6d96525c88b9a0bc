package io.muster.security;

import io.muster.core.Access;
import io.muster.core.Role;
import io.muster.web.ProblemJson;
import io.muster.web.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Checks the {@link RequiresRole} of the endpoint a request reached against its caller's token, before
 * the endpoint runs. Fails closed: a Muster endpoint without the annotation refuses everyone.
 */
@Configuration(proxyBeanMethods = false)
class RoleInterceptor implements HandlerInterceptor, WebMvcConfigurer {

    private static final Logger log = LoggerFactory.getLogger(RoleInterceptor.class);
    private static final String API_PACKAGE = "io.muster.";

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this);
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        if (!(handler instanceof HandlerMethod method) || !method.getBeanType().getName().startsWith(API_PACKAGE)) {
            return true;
        }
        RequiresRole required = requirement(method);
        if (required == null) {
            log.error("{} has no @RequiresRole; refusing every request to it", method);
            ProblemJson.send(response, ProblemType.FORBIDDEN, "This endpoint declares no access rule", Map.of());
            return false;
        }
        Caller caller = Caller.current();
        if (caller == null) {
            ProblemJson.send(response, ProblemType.UNAUTHORIZED, "This request carried no credentials", Map.of());
            return false;
        }
        if (caller.token() == null) {
            return true;
        }
        // A token that names services may write their instances with any role: the scope grants that.
        Role needed = required.serviceScoped() && required.value() == Role.WRITER
                ? Access.serviceWriterRole(caller.token()) : required.value();
        String denial = Access.require(caller.token(), needed);
        if (denial == null && !required.keyScoped()) {
            denial = required.serviceScoped() ? Access.serviceReadDenial(caller.token())
                    : Access.unconfinedDenial(caller.token());
        }
        if (denial != null) {
            ProblemJson.send(response, ProblemType.FORBIDDEN, denial, Map.of());
            return false;
        }
        return true;
    }

    /** The rule on the method, else on its controller; {@code null} when neither has one. */
    static RequiresRole requirement(HandlerMethod method) {
        RequiresRole onMethod = AnnotatedElementUtils.findMergedAnnotation(method.getMethod(), RequiresRole.class);
        return onMethod != null ? onMethod
                : AnnotatedElementUtils.findMergedAnnotation(method.getBeanType(), RequiresRole.class);
    }
}
