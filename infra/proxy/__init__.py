"""The registry proxy: archeio on Cloud Run in every serving region, behind one
global load balancer with Cloud Armor, Certificate Manager, monitoring and log
exports (component `registry-proxy`)."""
