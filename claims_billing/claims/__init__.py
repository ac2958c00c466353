"""Insurance claims: Insurance Claim documents as 837P claim data, and the desk's claim actions."""
