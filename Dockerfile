# The online environment: the contest's GPU container with the harness and the
# reference submission's dependencies. docs/docker.md explains the build
# arguments, the CPU variant and the per-submission layer.
ARG BASE_IMAGE=tensorflow/tensorflow:2.21.0-gpu
FROM ${BASE_IMAGE}

# 1 installs submission/requirements.txt (TensorFlow, Keras); CI builds with 0
# on a small Debian base, where only the harness is needed.
ARG SUBMISSION_DEPS=1

ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_BREAK_SYSTEM_PACKAGES=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/opt/onlinesim

# The contract's `python` is the image's Python; some bases only ship python3.
RUN command -v python >/dev/null || ln -s "$(command -v python3)" /usr/local/bin/python \
 && useradd --create-home --uid 1000 --shell /bin/sh onlinesim

COPY docker/install_requirements.sh /usr/local/bin/onlinesim-install-requirements

# Layers ordered from the least to the most often changed.
COPY docker/requirements-harness.txt /opt/onlinesim/requirements/harness.txt
RUN --mount=type=secret,id=ca_bundle \
    onlinesim-install-requirements /opt/onlinesim/requirements/harness.txt

COPY submission/requirements.txt /opt/onlinesim/requirements/submission.txt
RUN --mount=type=secret,id=ca_bundle \
    if [ "$SUBMISSION_DEPS" = 1 ]; then \
      onlinesim-install-requirements /opt/onlinesim/requirements/submission.txt; \
    fi

COPY docker/onlinesim /usr/local/bin/onlinesim
COPY harness /opt/onlinesim/harness

USER onlinesim
WORKDIR /workspace
CMD ["onlinesim", "--help"]
