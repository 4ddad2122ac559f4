terraform {
  # terraform_data (built in) needs OpenTofu 1.6 / Terraform 1.4 or newer; no provider is needed
  # (see main.tf for why).
  required_version = ">= 1.8.0"
}
