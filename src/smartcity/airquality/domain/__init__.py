"""Pure air-quality domain logic (no Django): legal indicators, limit values, the UBA air-quality index."""
