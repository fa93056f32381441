#!/bin/sh
# compile_optimised.sh — how many of the optimised integrations AWS lists
# ("Integrating optimized services with Step Functions" and each service's
# page: request-response, .sync, .waitForTaskToken) compile with no binding
# and no mock: a one-Task definition per resource, `aslc FILE -o OUT`.
# Prints each resource refused, then the count.  Not a test.
#
#   bench/compile_optimised.sh build/aslc
set -u
aslc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok=0 n=0
while read -r r; do
    n=$((n + 1))
    printf '{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::%s","End":true}}}' \
        "$r" > "$tmp/t.json"
    if "$aslc" "$tmp/t.json" -o "$tmp/t.bin" >/dev/null 2>&1; then ok=$((ok + 1))
    else echo "refused: $r"; fi
done <<LIST
sqs:sendMessage
sqs:sendMessage.waitForTaskToken
sns:publish
sns:publish.waitForTaskToken
events:putEvents
events:putEvents.waitForTaskToken
states:startExecution
states:startExecution.sync
states:startExecution.sync:2
states:startExecution.waitForTaskToken
lambda:invoke
lambda:invoke.waitForTaskToken
dynamodb:getItem
dynamodb:putItem
dynamodb:updateItem
dynamodb:deleteItem
ecs:runTask
ecs:runTask.sync
ecs:runTask.waitForTaskToken
glue:startJobRun
glue:startJobRun.sync
batch:submitJob
batch:submitJob.sync
athena:startQueryExecution
athena:startQueryExecution.sync
athena:stopQueryExecution
athena:getQueryExecution
athena:getQueryResults
codebuild:startBuild
codebuild:startBuild.sync
codebuild:stopBuild
codebuild:batchDeleteBuilds
codebuild:batchGetReports
codebuild:startBuildBatch
codebuild:startBuildBatch.sync
codebuild:stopBuildBatch
codebuild:retryBuildBatch
codebuild:retryBuildBatch.sync
codebuild:retryBuild
codebuild:retryBuild.sync
codebuild:deleteBuildBatch
sagemaker:createEndpoint
sagemaker:createEndpointConfig
sagemaker:createHyperParameterTuningJob
sagemaker:createHyperParameterTuningJob.sync
sagemaker:createLabelingJob
sagemaker:createLabelingJob.sync
sagemaker:createModel
sagemaker:createProcessingJob
sagemaker:createProcessingJob.sync
sagemaker:createTrainingJob
sagemaker:createTrainingJob.sync
sagemaker:createTransformJob
sagemaker:createTransformJob.sync
sagemaker:updateEndpoint
elasticmapreduce:createCluster
elasticmapreduce:createCluster.sync
elasticmapreduce:terminateCluster
elasticmapreduce:terminateCluster.sync
elasticmapreduce:addStep
elasticmapreduce:addStep.sync
elasticmapreduce:cancelStep
elasticmapreduce:setClusterTerminationProtection
elasticmapreduce:modifyInstanceFleetByName
elasticmapreduce:modifyInstanceGroupByName
emr-containers:createVirtualCluster
emr-containers:deleteVirtualCluster
emr-containers:deleteVirtualCluster.sync
emr-containers:startJobRun
emr-containers:startJobRun.sync
emr-serverless:createApplication
emr-serverless:createApplication.sync
emr-serverless:startApplication
emr-serverless:startApplication.sync
emr-serverless:stopApplication
emr-serverless:stopApplication.sync
emr-serverless:deleteApplication
emr-serverless:deleteApplication.sync
emr-serverless:startJobRun
emr-serverless:startJobRun.sync
emr-serverless:cancelJobRun
emr-serverless:cancelJobRun.sync
eks:createCluster
eks:createCluster.sync
eks:deleteCluster
eks:deleteCluster.sync
eks:createFargateProfile
eks:createFargateProfile.sync
eks:deleteFargateProfile
eks:deleteFargateProfile.sync
eks:createNodegroup
eks:createNodegroup.sync
eks:deleteNodegroup
eks:deleteNodegroup.sync
eks:runJob
eks:runJob.sync
eks:call
mediaconvert:createJob
mediaconvert:createJob.sync
databrew:startJobRun
databrew:startJobRun.sync
bedrock:invokeModel
bedrock:createModelCustomizationJob
bedrock:createModelCustomizationJob.sync
apigateway:invoke
apigateway:invoke.waitForTaskToken
http:invoke
LIST
echo "compiled with no bindings: $ok of $n"
