/*
 * aws_target.c — which integrations aslc calls itself, read from the
 * resource (aws_target.h): aws-sdk:SERVICE:ACTION of any model, the
 * optimised integrations AWS lists (their actions, error prefixes and
 * .waitForTaskToken), EMR's renamed APIs, the .sync jobs and how each is
 * followed, and Bedrock Runtime's InvokeModel for a botocore without it.
 */
#define _GNU_SOURCE
#include "aws_target.h"

#include <string.h>

/* Bedrock Runtime's InvokeModel, for a botocore too old to have the model
 * (Debian's 1.43 has none): a rest-json POST /model/{modelId}/invoke whose
 * body is the Body parameter and whose answer's body is the Body result. */
const char aslc_bedrock_runtime_model[] =
    "{\"metadata\": {\"protocol\": \"rest-json\", \"serviceId\": \"Bedrock Runtime\","
    " \"endpointPrefix\": \"bedrock-runtime\", \"signingName\": \"bedrock\","
    " \"apiVersion\": \"2023-09-30\"},"
    " \"operations\": {\"InvokeModel\": {\"name\": \"InvokeModel\","
    " \"http\": {\"method\": \"POST\", \"requestUri\": \"/model/{modelId}/invoke\"},"
    " \"input\": {\"shape\": \"InvokeModelRequest\"},"
    " \"output\": {\"shape\": \"InvokeModelResponse\"}}},"
    " \"shapes\": {\"InvokeModelRequest\": {\"type\": \"structure\", \"payload\": \"body\","
    " \"members\": {\"body\": {\"shape\": \"Body\"},"
    " \"contentType\": {\"shape\": \"String\", \"location\": \"header\","
    " \"locationName\": \"Content-Type\"},"
    " \"accept\": {\"shape\": \"String\", \"location\": \"header\", \"locationName\": \"Accept\"},"
    " \"modelId\": {\"shape\": \"String\", \"location\": \"uri\", \"locationName\": \"modelId\"},"
    " \"trace\": {\"shape\": \"String\", \"location\": \"header\","
    " \"locationName\": \"X-Amzn-Bedrock-Trace\"},"
    " \"guardrailIdentifier\": {\"shape\": \"String\", \"location\": \"header\","
    " \"locationName\": \"X-Amzn-Bedrock-GuardrailIdentifier\"},"
    " \"guardrailVersion\": {\"shape\": \"String\", \"location\": \"header\","
    " \"locationName\": \"X-Amzn-Bedrock-GuardrailVersion\"}}},"
    " \"InvokeModelResponse\": {\"type\": \"structure\", \"payload\": \"body\","
    " \"members\": {\"body\": {\"shape\": \"Body\"},"
    " \"contentType\": {\"shape\": \"String\", \"location\": \"header\","
    " \"locationName\": \"Content-Type\"}}},"
    " \"Body\": {\"type\": \"blob\"}, \"String\": {\"type\": \"string\"}}}";

/* Bedrock's model customization jobs, for a botocore without "bedrock"
 * (Debian's 1.43): CreateModelCustomizationJob (POST
 * /model-customization-jobs) and GetModelCustomizationJob, which follows it
 * (.sync), with the members of AWS's API reference. */
const char aslc_bedrock_model[] =
    "{\"metadata\": {\"protocol\": \"rest-json\", \"serviceId\": \"Bedrock\","
    " \"endpointPrefix\": \"bedrock\", \"signingName\": \"bedrock\","
    " \"apiVersion\": \"2023-04-20\"},"
    " \"operations\": {"
    "\"CreateModelCustomizationJob\": {\"name\": \"CreateModelCustomizationJob\","
    " \"http\": {\"method\": \"POST\", \"requestUri\": \"/model-customization-jobs\"},"
    " \"input\": {\"shape\": \"CreateRequest\"}, \"output\": {\"shape\": \"CreateResponse\"}},"
    " \"GetModelCustomizationJob\": {\"name\": \"GetModelCustomizationJob\","
    " \"http\": {\"method\": \"GET\","
    " \"requestUri\": \"/model-customization-jobs/{jobIdentifier}\"},"
    " \"input\": {\"shape\": \"GetRequest\"}, \"output\": {\"shape\": \"GetResponse\"}}},"
    " \"shapes\": {"
    "\"CreateRequest\": {\"type\": \"structure\", \"members\": {"
    "\"jobName\": {\"shape\": \"String\"}, \"customModelName\": {\"shape\": \"String\"},"
    " \"roleArn\": {\"shape\": \"String\"},"
    " \"clientRequestToken\": {\"shape\": \"String\", \"idempotencyToken\": true},"
    " \"baseModelIdentifier\": {\"shape\": \"String\"},"
    " \"customizationType\": {\"shape\": \"String\"},"
    " \"customModelKmsKeyId\": {\"shape\": \"String\"},"
    " \"jobTags\": {\"shape\": \"TagList\"}, \"customModelTags\": {\"shape\": \"TagList\"},"
    " \"trainingDataConfig\": {\"shape\": \"S3Config\"},"
    " \"validationDataConfig\": {\"shape\": \"ValidationDataConfig\"},"
    " \"outputDataConfig\": {\"shape\": \"S3Config\"},"
    " \"hyperParameters\": {\"shape\": \"StringMap\"},"
    " \"vpcConfig\": {\"shape\": \"VpcConfig\"}}},"
    " \"CreateResponse\": {\"type\": \"structure\", \"members\": {"
    "\"jobArn\": {\"shape\": \"String\"}}},"
    " \"GetRequest\": {\"type\": \"structure\", \"members\": {"
    "\"jobIdentifier\": {\"shape\": \"String\", \"location\": \"uri\","
    " \"locationName\": \"jobIdentifier\"}}},"
    " \"GetResponse\": {\"type\": \"structure\", \"members\": {"
    "\"jobArn\": {\"shape\": \"String\"}, \"jobName\": {\"shape\": \"String\"},"
    " \"outputModelName\": {\"shape\": \"String\"},"
    " \"outputModelArn\": {\"shape\": \"String\"},"
    " \"clientRequestToken\": {\"shape\": \"String\"}, \"roleArn\": {\"shape\": \"String\"},"
    " \"status\": {\"shape\": \"String\"}, \"failureMessage\": {\"shape\": \"String\"},"
    " \"creationTime\": {\"shape\": \"Timestamp\"},"
    " \"lastModifiedTime\": {\"shape\": \"Timestamp\"},"
    " \"endTime\": {\"shape\": \"Timestamp\"}, \"baseModelArn\": {\"shape\": \"String\"},"
    " \"hyperParameters\": {\"shape\": \"StringMap\"},"
    " \"trainingDataConfig\": {\"shape\": \"S3Config\"},"
    " \"validationDataConfig\": {\"shape\": \"ValidationDataConfig\"},"
    " \"outputDataConfig\": {\"shape\": \"S3Config\"},"
    " \"customizationType\": {\"shape\": \"String\"},"
    " \"outputModelKmsKeyArn\": {\"shape\": \"String\"},"
    " \"trainingMetrics\": {\"shape\": \"TrainingMetrics\"},"
    " \"validationMetrics\": {\"shape\": \"ValidationMetrics\"},"
    " \"vpcConfig\": {\"shape\": \"VpcConfig\"}}},"
    " \"S3Config\": {\"type\": \"structure\", \"members\": {\"s3Uri\": {\"shape\": \"String\"}}},"
    " \"ValidationDataConfig\": {\"type\": \"structure\", \"members\": {"
    "\"validators\": {\"shape\": \"Validators\"}}},"
    " \"Validators\": {\"type\": \"list\", \"member\": {\"shape\": \"S3Config\"}},"
    " \"TagList\": {\"type\": \"list\", \"member\": {\"shape\": \"Tag\"}},"
    " \"Tag\": {\"type\": \"structure\", \"members\": {\"key\": {\"shape\": \"String\"},"
    " \"value\": {\"shape\": \"String\"}}},"
    " \"StringMap\": {\"type\": \"map\", \"key\": {\"shape\": \"String\"},"
    " \"value\": {\"shape\": \"String\"}},"
    " \"VpcConfig\": {\"type\": \"structure\", \"members\": {"
    "\"subnetIds\": {\"shape\": \"StringList\"},"
    " \"securityGroupIds\": {\"shape\": \"StringList\"}}},"
    " \"StringList\": {\"type\": \"list\", \"member\": {\"shape\": \"String\"}},"
    " \"TrainingMetrics\": {\"type\": \"structure\", \"members\": {"
    "\"trainingLoss\": {\"shape\": \"Float\"}}},"
    " \"ValidationMetrics\": {\"type\": \"list\", \"member\": {\"shape\": \"ValidatorMetric\"}},"
    " \"ValidatorMetric\": {\"type\": \"structure\", \"members\": {"
    "\"validationLoss\": {\"shape\": \"Float\"}}},"
    " \"Timestamp\": {\"type\": \"timestamp\", \"timestampFormat\": \"iso8601\"},"
    " \"Float\": {\"type\": \"float\"}, \"String\": {\"type\": \"string\"}}}";

static const sync_spec syncs[] = {
    {"states:startExecution.sync", "sfn", "StartExecution", "DescribeExecution", "StepFunctions",
     "{\"ExecutionArn\": \"$start.ExecutionArn\"}", "$poll.Status", "[\"SUCCEEDED\"]",
     "[\"FAILED\", \"TIMED_OUT\", \"ABORTED\"]", "\"$poll\"", false, false},
    {"states:startExecution.sync:2", "sfn", "StartExecution", "DescribeExecution", "StepFunctions",
     "{\"ExecutionArn\": \"$start.ExecutionArn\"}", "$poll.Status", "[\"SUCCEEDED\"]",
     "[\"FAILED\", \"TIMED_OUT\", \"ABORTED\"]", "\"$poll\"", true, false},
    {"glue:startJobRun.sync", "glue", "StartJobRun", "GetJobRun", "Glue",
     "{\"JobName\": \"$params.JobName\", \"RunId\": \"$start.JobRunId\"}",
     "$poll.JobRun.JobRunState", "[\"SUCCEEDED\"]",
     "[\"FAILED\", \"STOPPED\", \"TIMEOUT\", \"ERROR\"]", "\"$poll.JobRun\"", false, false},
    {"ecs:runTask.sync", "ecs", "RunTask", "DescribeTasks", "ECS",
     "{\"Cluster\": \"$params.Cluster\", \"Tasks\": [\"$start.Tasks[0].TaskArn\"]}",
     "$poll.Tasks[0].LastStatus", "[\"STOPPED\"]", "[]", "\"$poll.Tasks[0]\"", false, false},
    {"batch:submitJob.sync", "batch", "SubmitJob", "DescribeJobs", "Batch",
     "{\"Jobs\": [\"$start.JobId\"]}", "$poll.Jobs[0].Status", "[\"SUCCEEDED\"]",
     "[\"FAILED\"]", "\"$poll.Jobs[0]\"", false, false},
    {"athena:startQueryExecution.sync", "athena", "StartQueryExecution", "GetQueryExecution", "Athena",
     "{\"QueryExecutionId\": \"$start.QueryExecutionId\"}", "$poll.QueryExecution.Status.State",
     "[\"SUCCEEDED\"]", "[\"FAILED\", \"CANCELLED\"]", "\"$poll\"", false, false},
    {"codebuild:startBuild.sync", "codebuild", "StartBuild", "BatchGetBuilds", "CodeBuild",
     "{\"Ids\": [\"$start.Build.Id\"]}", "$poll.Builds[0].BuildStatus", "[\"SUCCEEDED\"]",
     "[\"FAILED\", \"FAULT\", \"STOPPED\", \"TIMED_OUT\"]", "{\"Build\": \"$poll.Builds[0]\"}",
     false, false},
    {"codebuild:startBuildBatch.sync", "codebuild", "StartBuildBatch", "BatchGetBuildBatches",
     "CodeBuild", "{\"Ids\": [\"$start.BuildBatch.Id\"]}",
     "$poll.BuildBatches[0].BuildBatchStatus", "[\"SUCCEEDED\"]",
     "[\"FAILED\", \"FAULT\", \"STOPPED\", \"TIMED_OUT\"]",
     "{\"BuildBatch\": \"$poll.BuildBatches[0]\"}", false, false},
    {"sagemaker:createTrainingJob.sync", "sagemaker", "CreateTrainingJob", "DescribeTrainingJob",
     "SageMaker", "{\"TrainingJobName\": \"$params.TrainingJobName\"}", "$poll.TrainingJobStatus",
     "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"", false, false},
    {"sagemaker:createTransformJob.sync", "sagemaker", "CreateTransformJob", "DescribeTransformJob",
     "SageMaker", "{\"TransformJobName\": \"$params.TransformJobName\"}",
     "$poll.TransformJobStatus", "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"",
     false, false},
    {"sagemaker:createProcessingJob.sync", "sagemaker", "CreateProcessingJob",
     "DescribeProcessingJob", "SageMaker",
     "{\"ProcessingJobName\": \"$params.ProcessingJobName\"}", "$poll.ProcessingJobStatus",
     "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"", false, false},
    {"codebuild:retryBuild.sync", "codebuild", "RetryBuild", "BatchGetBuilds", "CodeBuild",
     "{\"Ids\": [\"$start.Build.Id\"]}", "$poll.Builds[0].BuildStatus",
     "[\"SUCCEEDED\"]", "[\"FAILED\", \"FAULT\", \"STOPPED\", \"TIMED_OUT\"]", "{\"Build\": \"$poll.Builds[0]\"}", false, false},
    {"codebuild:retryBuildBatch.sync", "codebuild", "RetryBuildBatch", "BatchGetBuildBatches", "CodeBuild",
     "{\"Ids\": [\"$start.BuildBatch.Id\"]}", "$poll.BuildBatches[0].BuildBatchStatus",
     "[\"SUCCEEDED\"]", "[\"FAILED\", \"FAULT\", \"STOPPED\", \"TIMED_OUT\"]", "{\"BuildBatch\": \"$poll.BuildBatches[0]\"}", false, false},
    {"sagemaker:createHyperParameterTuningJob.sync", "sagemaker", "CreateHyperParameterTuningJob", "DescribeHyperParameterTuningJob", "SageMaker",
     "{\"HyperParameterTuningJobName\": \"$params.HyperParameterTuningJobName\"}", "$poll.HyperParameterTuningJobStatus",
     "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"", false, false},
    {"sagemaker:createLabelingJob.sync", "sagemaker", "CreateLabelingJob", "DescribeLabelingJob", "SageMaker",
     "{\"LabelingJobName\": \"$params.LabelingJobName\"}", "$poll.LabelingJobStatus",
     "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"", false, false},
    {"emr-serverless:createApplication.sync", "emr-serverless", "CreateApplication", "GetApplication", "EMRServerless",
     "{\"ApplicationId\": \"$start.ApplicationId\"}", "$poll.Application.State",
     "[\"CREATED\"]", "[\"TERMINATED\"]", "\"$poll.Application\"", false, false},
    {"emr-serverless:startApplication.sync", "emr-serverless", "StartApplication", "GetApplication", "EMRServerless",
     "{\"ApplicationId\": \"$params.ApplicationId\"}", "$poll.Application.State",
     "[\"STARTED\"]", "[\"TERMINATED\"]", "\"$poll.Application\"", false, false},
    {"emr-serverless:stopApplication.sync", "emr-serverless", "StopApplication", "GetApplication", "EMRServerless",
     "{\"ApplicationId\": \"$params.ApplicationId\"}", "$poll.Application.State",
     "[\"STOPPED\"]", "[\"TERMINATED\"]", "\"$poll.Application\"", false, false},
    {"emr-serverless:deleteApplication.sync", "emr-serverless", "DeleteApplication", "GetApplication", "EMRServerless",
     "{\"ApplicationId\": \"$params.ApplicationId\"}", "$poll.Application.State",
     "[\"TERMINATED\"]", "[]", "\"$poll.Application\"", false, false},
    {"emr-serverless:cancelJobRun.sync", "emr-serverless", "CancelJobRun", "GetJobRun", "EMRServerless",
     "{\"ApplicationId\": \"$params.ApplicationId\", \"JobRunId\": \"$params.JobRunId\"}", "$poll.JobRun.State",
     "[\"CANCELLED\", \"SUCCESS\"]", "[\"FAILED\"]", "\"$poll.JobRun\"", false, false},
    {"emr-containers:deleteVirtualCluster.sync", "emr-containers", "DeleteVirtualCluster", "DescribeVirtualCluster", "EMRContainers",
     "{\"Id\": \"$params.Id\"}", "$poll.VirtualCluster.State",
     "[\"TERMINATED\"]", "[\"ARRESTED\"]", "\"$poll.VirtualCluster\"", false, false},
    /* EKS: creations followed until ACTIVE (a deletion ends in a NotFound, not followed) */
    {"eks:createCluster.sync", "eks", "CreateCluster", "DescribeCluster", "EKS",
     "{\"Name\": \"$params.Name\"}", "$poll.Cluster.Status",
     "[\"ACTIVE\"]", "[\"FAILED\"]", "\"$poll.Cluster\"", false, false},
    {"eks:createNodegroup.sync", "eks", "CreateNodegroup", "DescribeNodegroup", "EKS",
     "{\"ClusterName\": \"$params.ClusterName\", \"NodegroupName\": \"$params.NodegroupName\"}", "$poll.Nodegroup.Status",
     "[\"ACTIVE\"]", "[\"CREATE_FAILED\"]", "\"$poll.Nodegroup\"", false, false},
    {"eks:createFargateProfile.sync", "eks", "CreateFargateProfile", "DescribeFargateProfile", "EKS",
     "{\"ClusterName\": \"$params.ClusterName\", \"FargateProfileName\": \"$params.FargateProfileName\"}", "$poll.FargateProfile.Status",
     "[\"ACTIVE\"]", "[\"CREATE_FAILED\"]", "\"$poll.FargateProfile\"", false, false},
    /* EKS's deletions: followed until the describe call finds nothing; the
     * result is the deletion's answer */
    {"eks:deleteCluster.sync", "eks", "DeleteCluster", "DescribeCluster", "EKS",
     "{\"Name\": \"$params.Name\"}", "$poll.Cluster.Status", "[]", "[\"FAILED\"]", "\"$start\"",
     false, true},
    {"eks:deleteNodegroup.sync", "eks", "DeleteNodegroup", "DescribeNodegroup", "EKS",
     "{\"ClusterName\": \"$params.ClusterName\", \"NodegroupName\": \"$params.NodegroupName\"}",
     "$poll.Nodegroup.Status", "[]", "[\"DELETE_FAILED\"]", "\"$start\"", false, true},
    {"eks:deleteFargateProfile.sync", "eks", "DeleteFargateProfile", "DescribeFargateProfile", "EKS",
     "{\"ClusterName\": \"$params.ClusterName\", "
     "\"FargateProfileName\": \"$params.FargateProfileName\"}",
     "$poll.FargateProfile.Status", "[]", "[\"DELETE_FAILED\"]", "\"$start\"", false, true},
    /* Bedrock's model customization, followed until Completed */
    {"bedrock:createModelCustomizationJob.sync", "bedrock", "CreateModelCustomizationJob",
     "GetModelCustomizationJob", "Bedrock", "{\"JobIdentifier\": \"$start.JobArn\"}",
     "$poll.Status", "[\"Completed\"]", "[\"Failed\", \"Stopped\"]", "\"$poll\"", false, false},
    /* EMR's: the start call is a renamed one (parse_target) */
    {"elasticmapreduce:createCluster.sync", "emr", "RunJobFlow", "DescribeCluster", "EMR",
     "{\"ClusterId\": \"$start.JobFlowId\"}", "$poll.Cluster.Status.State",
     "[\"WAITING\", \"RUNNING\"]", "[\"TERMINATED\", \"TERMINATED_WITH_ERRORS\"]",
     "{\"ClusterId\": \"$start.JobFlowId\", \"ClusterArn\": \"$start.ClusterArn\"}", false, false},
    {"elasticmapreduce:addStep.sync", "emr", "AddJobFlowSteps", "DescribeStep", "EMR",
     "{\"ClusterId\": \"$params.ClusterId\", \"StepId\": \"$start.StepIds[0]\"}",
     "$poll.Step.Status.State", "[\"COMPLETED\"]",
     "[\"FAILED\", \"CANCELLED\", \"INTERRUPTED\"]", "\"$poll.Step\"", false, false},
    {"elasticmapreduce:terminateCluster.sync", "emr", "TerminateJobFlows", "DescribeCluster", "EMR",
     "{\"ClusterId\": \"$params.ClusterId\"}", "$poll.Cluster.Status.State",
     "[\"TERMINATED\"]", "[\"TERMINATED_WITH_ERRORS\"]", "\"$poll.Cluster\"", false, false},
    {"emr-serverless:startJobRun.sync", "emr-serverless", "StartJobRun", "GetJobRun",
     "EMRServerless",
     "{\"ApplicationId\": \"$params.ApplicationId\", \"JobRunId\": \"$start.JobRunId\"}",
     "$poll.JobRun.State", "[\"SUCCESS\"]", "[\"FAILED\", \"CANCELLED\"]", "\"$poll.JobRun\"",
     false, false},
    {"emr-containers:startJobRun.sync", "emr-containers", "StartJobRun", "DescribeJobRun",
     "EMRContainers",
     "{\"VirtualClusterId\": \"$params.VirtualClusterId\", \"Id\": \"$start.Id\"}",
     "$poll.JobRun.State", "[\"COMPLETED\"]", "[\"FAILED\", \"CANCELLED\"]",
     "\"$poll.JobRun\"", false, false},
    {"mediaconvert:createJob.sync", "mediaconvert", "CreateJob", "GetJob", "MediaConvert",
     "{\"Id\": \"$start.Job.Id\"}", "$poll.Job.Status", "[\"COMPLETE\"]",
     "[\"ERROR\", \"CANCELED\"]", "\"$poll\"", false, false},
    {"databrew:startJobRun.sync", "databrew", "StartJobRun", "DescribeJobRun", "DataBrew",
     "{\"Name\": \"$params.Name\", \"RunId\": \"$start.RunId\"}", "$poll.State",
     "[\"SUCCEEDED\"]", "[\"FAILED\", \"STOPPED\", \"TIMEOUT\"]", "\"$poll\"", false, false},
};

/* The optimised integrations that are one call of the service's API, with
 * the parameters and the answer of that call (AWS's "Integrating optimized
 * services" pages): the resource's service, botocore's name for it, the
 * prefix of its errors, the actions accepted (space-separated, as the
 * resource writes them; looked up in the model without regard to case) and
 * those of them that also take ".waitForTaskToken". */
typedef struct {
    const char *name, *service, *prefix, *actions, *callbacks;
} opt_service;

static const opt_service opt_services[] = {
    {"dynamodb", "dynamodb", "DynamoDB", "getItem putItem updateItem deleteItem", ""},
    {"sqs", "sqs", "SQS", "sendMessage", "sendMessage"},
    {"sns", "sns", "SNS", "publish", "publish"},
    {"events", "events", "EventBridge", "putEvents", "putEvents"},
    {"states", "stepfunctions", "StepFunctions", "startExecution", "startExecution"},
    {"ecs", "ecs", "ECS", "runTask", "runTask"},
    {"glue", "glue", "Glue", "startJobRun", ""},
    {"batch", "batch", "Batch", "submitJob", ""},
    {"athena", "athena", "Athena",
     "startQueryExecution stopQueryExecution getQueryExecution getQueryResults", ""},
    {"codebuild", "codebuild", "CodeBuild",
     "startBuild stopBuild batchDeleteBuilds batchGetReports startBuildBatch stopBuildBatch "
     "retryBuildBatch retryBuild deleteBuildBatch", ""},
    {"sagemaker", "sagemaker", "SageMaker",
     "createEndpoint createEndpointConfig createHyperParameterTuningJob createLabelingJob "
     "createModel createProcessingJob createTrainingJob createTransformJob updateEndpoint", ""},
    {"emr-serverless", "emr-serverless", "EMRServerless",
     "createApplication startApplication stopApplication deleteApplication startJobRun "
     "cancelJobRun", ""},
    {"emr-containers", "emr-containers", "EMRContainers",
     "createVirtualCluster deleteVirtualCluster startJobRun", ""},
    {"eks", "eks", "EKS",
     "createCluster deleteCluster createFargateProfile deleteFargateProfile createNodegroup "
     "deleteNodegroup", ""},
    {"mediaconvert", "mediaconvert", "MediaConvert", "createJob", ""},
    {"databrew", "databrew", "DataBrew", "startJobRun", ""},
    {"bedrock", "bedrock", "Bedrock", "createModelCustomizationJob", ""},
};

/* Optimised actions that are another API call under a new name, with
 * parameters and answer of their own (EMR's "service integration APIs"):
 * the call's request and the task's result are templates as a .sync's
 * (runtime/aws_sdk.c fills them); params NULL: the call's own members. */
static const struct {
    const char *arn, *service, *action, *prefix, *params, *request, *result;
    const char *parse;   /* a member of the result that is JSON text, given parsed */
} renamed[] = {
    /* Bedrock's InvokeModel: the model's answer (Body) as JSON */
    {"bedrock:invokeModel", "bedrock-runtime", "InvokeModel", "Bedrock",
     "ModelId Body ContentType Accept Trace GuardrailIdentifier GuardrailVersion", NULL,
     "{\"Body\": \"$start.Body\", \"ContentType\": \"$start.ContentType\"}", "Body"},
    {"elasticmapreduce:createCluster", "emr", "RunJobFlow", "EMR", NULL, NULL,
     "{\"ClusterId\": \"$start.JobFlowId\", \"ClusterArn\": \"$start.ClusterArn\"}", NULL},
    {"elasticmapreduce:addStep", "emr", "AddJobFlowSteps", "EMR", "ClusterId Step ExecutionRoleArn",
     "{\"JobFlowId\": \"$params.ClusterId\", \"Steps\": [\"$params.Step\"], "
     "\"ExecutionRoleArn\": \"$params.ExecutionRoleArn\"}",
     "{\"StepId\": \"$start.StepIds[0]\"}", NULL},
    {"elasticmapreduce:terminateCluster", "emr", "TerminateJobFlows", "EMR", "ClusterId",
     "{\"JobFlowIds\": [\"$params.ClusterId\"]}", "{}", NULL},
    {"elasticmapreduce:cancelStep", "emr", "CancelSteps", "EMR", "ClusterId StepId",
     "{\"ClusterId\": \"$params.ClusterId\", \"StepIds\": [\"$params.StepId\"]}",
     "\"$start.CancelStepsInfoList[0]\"", NULL},
    {"elasticmapreduce:setClusterTerminationProtection", "emr", "SetTerminationProtection", "EMR",
     "ClusterId TerminationProtected",
     "{\"JobFlowIds\": [\"$params.ClusterId\"], "
     "\"TerminationProtected\": \"$params.TerminationProtected\"}", "{}", NULL},
    /* the ByName pair: the Id found by name first (by_names) */
    {"elasticmapreduce:modifyInstanceFleetByName", "emr", "ModifyInstanceFleet", "EMR",
     "ClusterId InstanceFleetName InstanceFleet",
     "{\"ClusterId\": \"$params.ClusterId\", \"InstanceFleet\": \"$params.InstanceFleet\"}",
     "{}", NULL},
    {"elasticmapreduce:modifyInstanceGroupByName", "emr", "ModifyInstanceGroups", "EMR",
     "ClusterId InstanceGroupName InstanceGroup",
     "{\"ClusterId\": \"$params.ClusterId\", \"InstanceGroups\": [\"$params.InstanceGroup\"]}",
     "{}", NULL},
};

/* How the ByName integrations find the Id they modify. */
static const struct {
    const char *arn;
    by_name_spec spec;
} by_names[] = {
    {"elasticmapreduce:modifyInstanceFleetByName",
     {"ListInstanceFleets", "InstanceFleets", "InstanceFleetName", "InstanceFleet",
      "InstanceFleetId"}},
    {"elasticmapreduce:modifyInstanceGroupByName",
     {"ListInstanceGroups", "InstanceGroups", "InstanceGroupName", "InstanceGroup",
      "InstanceGroupId"}},
};

bool aslc_aws_word_in(const char *list, const char *word, size_t n)
{
    for (const char *p = list; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, word, n)) return true;
        p += k;
        while (*p == ' ') p++;
    }
    return false;
}

/* An optimised resource without its pattern suffix ("sqs:sendMessage"):
 * false when aslc does not call it; callback: it ends ".waitForTaskToken". */
static bool optimised_target(const char *base, size_t n, bool callback, aws_target *t, asl_arena *a)
{
    for (size_t i = 0; i < sizeof renamed / sizeof *renamed; i++)
        if (strlen(renamed[i].arn) == n && !strncmp(base, renamed[i].arn, n)) {
            if (callback) return false;
            t->service = renamed[i].service;
            t->action = renamed[i].action;
            t->error_prefix = renamed[i].prefix;
            t->params = renamed[i].params;
            t->request = renamed[i].request;
            t->result = renamed[i].result;
            t->parse = renamed[i].parse;
            t->optimised = true;
            for (size_t k = 0; k < sizeof by_names / sizeof *by_names; k++)
                if (!strcmp(by_names[k].arn, renamed[i].arn)) t->by_name = &by_names[k].spec;
            return true;
        }
    const char *colon = memchr(base, ':', n);
    if (!colon) return false;
    size_t sl = (size_t)(colon - base), al = n - sl - 1;
    for (size_t i = 0; i < sizeof opt_services / sizeof *opt_services; i++) {
        const opt_service *o = &opt_services[i];
        if (strlen(o->name) != sl || strncmp(base, o->name, sl) != 0) continue;
        if (!aslc_aws_word_in(o->actions, colon + 1, al)) return false;
        if (callback && !aslc_aws_word_in(o->callbacks, colon + 1, al)) return false;
        t->service = o->service;
        t->action = asl_strndup(a, colon + 1, al);
        t->error_prefix = o->prefix;
        t->optimised = true;
        return true;
    }
    return false;
}

/* The integrations aslc calls itself: aws-sdk:SERVICE:ACTION[.waitForTaskToken]
 * (any action of any model), the optimised ones above, with
 * .waitForTaskToken where AWS takes it, and the .sync ones of syncs. */
bool aslc_aws_parse_target(const char *res, aws_target *t, asl_arena *a)
{
    if (strncmp(res, "arn:", 4) != 0) return false;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:::", 10) != 0) return false;
    p += 10;
    memset(t, 0, sizeof *t);
    if (!strncmp(p, "aws-sdk:", 8)) {
        p += 8;
        const char *colon = strchr(p, ':');
        if (!colon) return false;
        const char *end = colon + 1 + strcspn(colon + 1, ".");
        if (*end && strcmp(end, ".waitForTaskToken") != 0) return false;
        t->service = asl_strndup(a, p, (size_t)(colon - p));
        t->action = asl_strndup(a, colon + 1, (size_t)(end - colon - 1));
        return true;
    }
    size_t n = strcspn(p, ".");
    for (size_t i = 0; i < sizeof syncs / sizeof *syncs; i++)
        if (!strcmp(p, syncs[i].arn)) {
            /* the start call: a renamed one keeps its request template */
            if (!optimised_target(p, n, false, t, a)) {
                t->service = syncs[i].service;
                t->action = syncs[i].start;
                t->optimised = true;
            }
            t->error_prefix = syncs[i].error_prefix;
            t->result = NULL;
            t->sync = &syncs[i];
            return true;
        }
    if (p[n] && strcmp(p + n, ".waitForTaskToken") != 0) return false;
    return optimised_target(p, n, p[n] != '\0', t, a);
}

/* The Kubernetes API integrations (AWS's connect-eks page: "Supported
 * parameters"); none takes .waitForTaskToken. */
const char *aslc_eks_k8s_action(const char *res, const char **params)
{
    if (strncmp(res, "arn:", 4) != 0) return NULL;
    const char *p = strchr(res + 4, ':');
    if (!p || strncmp(p, ":states:::eks:", 14) != 0) return NULL;
    p += 14;
    if (!strcmp(p, "call")) {
        *params = "ClusterName CertificateAuthority Endpoint Method Path QueryParameters "
                  "RequestBody";
        return "call";
    }
    if (!strcmp(p, "runJob") || !strcmp(p, "runJob.sync")) {
        *params = "ClusterName CertificateAuthority Endpoint Namespace Job LogOptions";
        return p;
    }
    return NULL;
}
