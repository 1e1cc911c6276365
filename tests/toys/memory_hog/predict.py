"""Memory-hog toy, predict: eats memory while loading, before it is ever ready."""

from hog import hog

hog()
