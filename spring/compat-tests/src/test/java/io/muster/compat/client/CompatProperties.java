package io.muster.compat.client;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code compat.*}, bound as a JavaBean so that a refresh rebinds it in place. */
@ConfigurationProperties("compat")
public class CompatProperties {

    private String greeting;
    private String shared;
    private List<String> list = new ArrayList<>();

    public String getGreeting() {
        return greeting;
    }

    public void setGreeting(String greeting) {
        this.greeting = greeting;
    }

    public String getShared() {
        return shared;
    }

    public void setShared(String shared) {
        this.shared = shared;
    }

    public List<String> getList() {
        return list;
    }

    public void setList(List<String> list) {
        this.list = list;
    }
}
