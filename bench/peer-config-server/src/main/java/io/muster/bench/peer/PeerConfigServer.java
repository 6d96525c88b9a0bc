package io.muster.bench.peer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.config.server.EnableConfigServer;

/** A stock Spring Cloud Config Server, configured entirely from the command line by the bench script. */
@SpringBootApplication
@EnableConfigServer
public class PeerConfigServer {

    public static void main(String[] args) {
        SpringApplication.run(PeerConfigServer.class, args);
    }
}
