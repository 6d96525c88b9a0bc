# syntax=docker/dockerfile:1.7
# Muster's container image: built with the Maven wrapper on a Temurin JDK, run on a Temurin JRE as a
# non-root numeric user from Spring Boot's extracted layers (dependencies change rarely, the
# application often: a rebuild ships only the small top layer), with an ahead-of-time cache (JDK 25,
# JEP 483/514/515: classes loaded and linked, method profiles) recorded at build time by one training
# start, which saves a start several seconds. Data lives in the /data volume.
#
#   docker build -t muster:dev .
#   docker run -p 8080:8080 -v muster-data:/data muster:dev

# 25 or later: the entry point's options and the ahead-of-time cache need it.
ARG JAVA_VERSION=25

FROM eclipse-temurin:${JAVA_VERSION}-jdk-noble AS build
WORKDIR /src
# Maven 3.9's own Guice uses sun.misc.Unsafe, which a JDK 25 warns about at every Maven start.
ENV MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
# Dependencies first, in their own layer: they are downloaded again only when the POM changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q dependency:go-offline
COPY src src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q -DskipTests package \
    && cp "$(ls target/muster-*.jar | grep -v plain)" /muster.jar \
    && java -Djarmode=tools -jar /muster.jar extract --layers --destination /layers

FROM eclipse-temurin:${JAVA_VERSION}-jre-noble
# A fixed numeric user and group (10001), so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 muster \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /data --shell /usr/sbin/nologin muster \
    && mkdir -p /data /app/config \
    && chown 10001:10001 /data
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/spring-boot-loader/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# The operator-facing defaults, documented; a mounted /app/config/application.yml overrides them.
COPY application.yml ./application.yml
# The ahead-of-time cache: one start that stops once the application context is up records the classes
# it loaded and linked and the methods it profiled; every start of the image then maps them instead of
# loading them again (a JVM that finds the cache unusable, another JVM build or ZGC, says so and starts
# without it). The training uses the entry point's options, as the cache wants. Its data goes with the step.
RUN java --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
        -XX:AOTCacheOutput=/app/muster.aot -Dspring.context.exit=onRefresh -jar /app/muster.jar \
        --muster.data-dir=/tmp/aot-training --server.port=18080 --muster.raft.port=17070 \
        --spring.main.banner-mode=off \
    && rm -rf /tmp/aot-training
USER 10001:10001
# Container-aware heap; a JVM out of memory exits so that Kubernetes restarts it instead of limping on.
# Temporary files (Netty's native libraries among them) go to /tmp, which may be the only writable path.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp" \
    MUSTER_DATA_DIR=/data
VOLUME ["/data"]
# 8080: HTTP API, actuator, OpenAPI. 7070: Raft between nodes.
EXPOSE 8080 7070
# SIGTERM starts Spring's graceful shutdown: the web server drains, then a leader hands off leadership.
STOPSIGNAL SIGTERM
# Ratis' shaded Netty uses sun.misc.Unsafe's memory access and loads its native transport: without these
# two options a JDK 25 warns about both at every start. They live here, not in JAVA_TOOL_OPTIONS (which
# the Helm chart sets), so that they go with the JVM that accepts them (a JDK 17 refuses to start with them).
ENTRYPOINT ["java", "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", \
            "-XX:AOTCache=/app/muster.aot", "-jar", "/app/muster.jar"]
