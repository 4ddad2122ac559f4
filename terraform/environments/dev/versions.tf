terraform {
  required_version = ">= 1.8.0"

  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = "~> 5.9"
    }
  }

  # Local state, outside the repository: `tofu init -backend-config=path=STATE_DIR/dev.tfstate`
  # (bin/lib/terraform-tools.sh puts it in the stack's state folder). The state holds the client
  # secrets: keep it 0600 and never commit it.
  backend "local" {}
}
