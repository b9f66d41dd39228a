"""Browser tests of the built book (headless Chromium driven by Playwright)."""
