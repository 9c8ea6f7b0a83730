"""Windows and tabs that list records."""
