"""AWS Security Token Service: only GetCallerIdentity, which Terraform and other tools call to learn the
account of their credentials."""
