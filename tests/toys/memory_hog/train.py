"""Memory-hog toy, train: eats memory until something stops it."""

from hog import hog

hog()
