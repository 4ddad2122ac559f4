# This file is maintained automatically by "tofu init".
# Manual edits may be lost in future updates.

provider "registry.opentofu.org/hashicorp/vault" {
  version     = "5.9.0"
  constraints = "~> 5.9"
  hashes = [
    "h1:AeVqDrA+wwvI8YcVFO3N3i2i6Sd9TRnfsmFMDTYPIOw=",
  ]
}
