# The job image of the GitLab template (and any CI that runs containers): tcss-scan and
# tcss-emulator on PATH, from the static release build (scripts/build-static.sh), which needs
# nothing but glibc at run time.
#   docker build -t ghcr.io/tcss-scan/tcss-scan:0.1.0 .   (releases push it multi-arch from Dockerfile.release)
FROM debian:bookworm-slim AS build
WORKDIR /src
COPY CMakeLists.txt project.env ./
COPY src ./src
COPY scripts ./scripts
RUN ./scripts/build-static.sh

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin tcss
COPY --from=build /src/dist/tcss-scan-linux-* /usr/local/bin/tcss-scan
COPY --from=build /src/dist/tcss-emulator-linux-* /usr/local/bin/tcss-emulator
USER 10001
ENTRYPOINT ["/usr/local/bin/tcss-scan"]
