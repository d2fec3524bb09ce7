{"region":"nyc3","apiKey":"","token":""}
const JWT_SECRET = '';
const k: string = "";
  secret: process.env.JWT_SECRET || '',
      - "DB_PASSWORD="
    environment: ["NODE_ENV=production", 'JWT_SECRET=']
ENV JWT_SECRET 
ARG NPM_TOKEN=
SMTP_PASS=
  - name: JWT_SECRET
    value: 
[default]
aws_access_key_id = AKIA
[prod]
aws_secret_access_key = 
NPM=npm_
SENDGRID_API_KEY=SG.
ANTHROPIC=sk-ant-api03-
